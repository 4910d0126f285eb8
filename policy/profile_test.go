package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// A profile turns its rules on and the others off, and gives the settings its level's defaults; the global
// mode applies to the profile's rules only, and a rule's own mode or setting still wins.
func TestParseProfile(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		profile rules.Profile
		modes   map[string]policy.Mode // rules not listed are off
		options rules.Options
	}{
		{
			name:    "aks named explicitly is the default",
			yaml:    "profile: aks\n",
			profile: rules.AKS,
			modes: map[string]policy.Mode{
				"privileged": policy.Enforce, "privilege-escalation": policy.Enforce, "run-as-root": policy.Enforce,
				"seccomp-profile": policy.Enforce, "apparmor-profile": policy.Enforce, "user-subject": policy.Enforce,
				"broad-subject": policy.Enforce, "pdb-allows-disruption": policy.Enforce,
			},
			options: rules.DefaultOptions(),
		},
		{
			name:    "baseline in dry-run",
			yaml:    "profile: baseline\nmode: dry-run\n",
			profile: rules.Baseline,
			modes: map[string]policy.Mode{
				"privileged": policy.DryRun, "seccomp-profile": policy.DryRun, "apparmor-profile": policy.DryRun,
				"user-subject": policy.DryRun, "broad-subject": policy.DryRun, "host-namespaces": policy.DryRun, "host-path-volumes": policy.DryRun,
				"host-ports": policy.DryRun, "added-capabilities": policy.DryRun, "proc-mount": policy.DryRun,
				"unsafe-sysctls": policy.DryRun, "selinux-options": policy.DryRun, "probe-host": policy.DryRun,
				"pdb-allows-disruption": policy.DryRun,
			},
			options: rules.OptionsFor(rules.Baseline),
		},
		{
			name:    "restricted with one rule off, one in dry-run and AppArmor required",
			yaml:    "profile: restricted\nrules:\n  volume-types: {mode: off}\n  host-ports: {mode: dry-run}\n  apparmor-profile: {requireProfile: true}\n",
			profile: rules.Restricted,
			modes: func() map[string]policy.Mode {
				m := map[string]policy.Mode{}
				for _, id := range rules.IDs() {
					m[id] = policy.Enforce
				}
				m["volume-types"], m["host-ports"] = policy.Off, policy.DryRun
				return m
			}(),
			options: func() rules.Options {
				o := rules.OptionsFor(rules.Restricted)
				o.RequireAppArmorProfile = true
				return o
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.yaml))
			require.NoError(t, err)
			assert.Equal(t, tt.profile, p.Profile)
			want := map[string]policy.Mode{}
			for _, id := range rules.IDs() {
				want[id] = policy.Off
			}
			for id, m := range tt.modes {
				want[id] = m
			}
			assert.Equal(t, want, modes(p))
			assert.Equal(t, tt.options, p.Options)
		})
	}
}

// ForProfile gives the same policy as a configuration naming only the profile.
func TestForProfileIsTheProfileAlone(t *testing.T) {
	for _, profile := range rules.Profiles() {
		parsed, err := policy.Parse([]byte("profile: " + string(profile) + "\n"))
		require.NoError(t, err)
		assertSamePolicy(t, policy.ForProfile(profile), parsed)
	}
}

// The audit checks are on under every profile, each in its default mode, and set under rules.<id>
// like a rule; the global mode and enforceAfter leave them as they are.
func TestAuditCheckModes(t *testing.T) {
	for _, profile := range rules.Profiles() {
		p := policy.ForProfile(profile)
		got := map[string]policy.Mode{}
		for _, c := range p.Checks {
			got[c.ID] = c.Mode
		}
		assert.Equal(t, map[string]policy.Mode{"instance-metadata-egress": policy.DryRun, "drain-blocked": policy.Enforce, "unmanaged-pod": policy.DryRun, "removed-api-in-use": policy.Enforce}, got, profile)
	}
	p, err := policy.Parse([]byte("mode: dry-run\nenforceAfter: \"2999-01-01T00:00:00Z\"\nrules:\n  unmanaged-pod: {mode: enforce}\n  drain-blocked: {mode: \"off\"}\n"))
	require.NoError(t, err)
	assert.Equal(t, policy.Enforce, p.Check("unmanaged-pod").Mode)
	assert.True(t, p.Check("unmanaged-pod").EnforceAfter.IsZero())
	assert.Equal(t, policy.Off, p.Check("drain-blocked").Mode)
	assert.Equal(t, policy.Enforce, p.Check("removed-api-in-use").Mode)
	assert.Nil(t, p.Check("privileged"), "a rule is no audit check")
}
