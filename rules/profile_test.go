package rules

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Which rules each profile turns on is part of the configuration contract: aks is the rule set kubeguard
// has always enforced, baseline and restricted are the Pod Security levels, and the binding and disruption
// budget rules are on in every profile. The contract holds for the released rules (contractIDs); a new
// rule declares its profiles in its own file.
func TestProfileMembers(t *testing.T) {
	members := func(p Profile) []string {
		var ids []string
		for _, r := range All() {
			if r.On(p, Latest) && slices.Contains(contractIDs, r.ID) {
				ids = append(ids, r.ID)
			}
		}
		return ids
	}
	assert.Equal(t, []string{
		"privileged", "privilege-escalation", "run-as-root", "seccomp-profile", "apparmor-profile", "user-subject",
		"broad-subject", "pdb-allows-disruption",
	}, members(AKS))
	assert.Equal(t, []string{
		"privileged", "seccomp-profile", "apparmor-profile", "user-subject", "broad-subject", "host-namespaces",
		"host-path-volumes", "host-ports", "added-capabilities", "proc-mount", "unsafe-sysctls", "selinux-options",
		"probe-host", "pdb-allows-disruption",
	}, members(Baseline))
	assert.Equal(t, contractIDs, members(Restricted))
	for _, r := range All() {
		assert.NotEmpty(t, r.Profiles, "rule %q is in no profile", r.ID)
	}
}

// Under each profile the settings take the meaning of its level: the Pod Security levels refuse only an
// Unconfined AppArmor profile; baseline refuses only an Unconfined seccomp profile and lets pods in a user
// namespace unmask /proc; restricted requires a seccomp profile and keeps /proc masked everywhere.
func TestOptionsFor(t *testing.T) {
	// Settings that no profile changes keep their defaults.
	withDefaults := func(o Options) Options {
		o.AllowedUsers = []string{"system:*"}
		o.AllowedBroadClusterRoles = []string{"system:discovery", "system:basic-user", "system:public-info-viewer", "system:service-account-issuer-discovery"}
		return o
	}
	assert.Equal(t, withDefaults(Options{RequireAppArmorProfile: true, RequireSeccompProfile: true}), OptionsFor(AKS, Latest))
	assert.Equal(t, withDefaults(Options{ProcMountInUserNamespace: true}), OptionsFor(Baseline, Latest))
	assert.Equal(t, withDefaults(Options{RequireSeccompProfile: true}), OptionsFor(Restricted, Latest))
	assert.Equal(t, OptionsFor(DefaultProfile, Latest), DefaultOptions())
}
