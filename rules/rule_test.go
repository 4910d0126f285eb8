package rules

import (
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ruleByID finds a registered rule, so that rule tests go through the registry as the webhook does.
func ruleByID(t *testing.T, id string) Rule {
	t.Helper()
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	require.Failf(t, "rule not registered", "no rule %q in All()", id)
	return Rule{}
}

// podCase is one row of a pod rule's table: a pod and the exact violations expected, in order, by identity
// (their words are in the rule's golden file).
type podCase struct {
	name string
	pod  Pod
	opts *Options // nil means DefaultOptions
	want []Violation
}

// runPodCases runs the registered pod rule id on every case.
func runPodCases(t *testing.T, id string, cases []podCase) {
	t.Helper()
	check := ruleByID(t, id).CheckPod
	require.NotNil(t, check, "rule %q judges no pods", id)
	all := make([]judged, 0, len(cases))
	for _, tc := range cases {
		opts := DefaultOptions()
		if tc.opts != nil {
			opts = *tc.opts
		}
		all = append(all, judged{name: tc.name, want: tc.want, got: check(&tc.pod, &opts)})
	}
	assertJudged(t, id, all)
}

// The IDs and their order are part of the configuration and message contract: a released rule keeps its
// ID and its place relative to the other released rules. A new rule may go anywhere in the list; this list
// names the released ones and only grows when a release ships.
var contractIDs = []string{
	"privileged", "privilege-escalation", "run-as-root", "seccomp-profile", "apparmor-profile", "user-subject",
	"broad-subject", "host-namespaces", "host-path-volumes", "host-ports", "added-capabilities", "proc-mount",
	"unsafe-sysctls", "selinux-options", "probe-host", "volume-types", "minimal-capabilities",
	"pdb-allows-disruption",
}

func TestRegistryOrderIsStable(t *testing.T) {
	var released []string
	for _, id := range IDs() {
		if slices.Contains(contractIDs, id) {
			released = append(released, id)
		}
	}
	assert.Equal(t, contractIDs, released, "a released rule was renamed, removed or moved")
}

func TestRegistryRulesAreWellFormed(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			assert.Regexp(t, kebab, r.ID)
			assert.False(t, seen[r.ID], "ID registered twice")
			seen[r.ID] = true

			assert.NotEmpty(t, r.Doc)
			assert.Regexp(t, `^[A-Z].*\.$`, r.Doc, "Doc is one sentence")

			checks := 0
			if r.CheckPod != nil {
				checks++
			}
			if r.CheckBinding != nil {
				checks++
			}
			if r.CheckDisruptionBudget != nil {
				checks++
			}
			assert.Equal(t, 1, checks, "a rule has exactly one check function")

			names := map[string]bool{"mode": true}
			for _, setting := range r.Settings {
				assert.Regexp(t, `^[a-z][a-zA-Z]*$`, setting.Name, "settings are camelCase keys")
				assert.False(t, names[setting.Name], "setting %q declared twice, or named mode", setting.Name)
				names[setting.Name] = true
				assert.Regexp(t, `^[A-Za-z"].*\.$`, setting.Doc, "Doc is one sentence")
				assert.Contains(t, []SettingType{Boolean, NamePatterns}, setting.Type)
			}
		})
	}
}

// The defaults are part of the configuration contract: a rule's settings as documented when nothing is set.
func TestDefaultOptions(t *testing.T) {
	opts := DefaultOptions()
	assert.True(t, opts.RequireAppArmorProfile)
	assert.Equal(t, []string{"system:*"}, opts.AllowedUsers)
	assert.Equal(t, []string{"system:discovery", "system:basic-user", "system:public-info-viewer", "system:service-account-issuer-discovery"}, opts.AllowedBroadClusterRoles)

	// Callers may change their copy without changing the next caller's defaults.
	opts.AllowedUsers[0] = "changed"
	assert.Equal(t, []string{"system:*"}, DefaultOptions().AllowedUsers)
}

// A setting's value reaches the options its rule reads, and only that option.
func TestSettingsSetTheOptionsTheirRuleReads(t *testing.T) {
	requireProfile, ok := ruleByID(t, appArmorProfileID).Setting("requireProfile")
	require.True(t, ok)
	opts := DefaultOptions()
	requireProfile.SetBool(&opts, false)
	want := DefaultOptions()
	want.RequireAppArmorProfile = false
	assert.Equal(t, want, opts)

	allowedUsers, ok := ruleByID(t, userSubjectID).Setting("allowedUsers")
	require.True(t, ok)
	opts = DefaultOptions()
	allowedUsers.SetNames(&opts, []string{"alice@contoso.com"})
	want = DefaultOptions()
	want.AllowedUsers = []string{"alice@contoso.com"}
	assert.Equal(t, want, opts)

	requireSeccomp, ok := ruleByID(t, seccompProfileID).Setting("requireProfile")
	require.True(t, ok)
	opts = DefaultOptions()
	requireSeccomp.SetBool(&opts, false)
	want = DefaultOptions()
	want.RequireSeccompProfile = false
	assert.Equal(t, want, opts)

	inUserNamespace, ok := ruleByID(t, procMountID).Setting("allowInUserNamespace")
	require.True(t, ok)
	opts = DefaultOptions()
	inUserNamespace.SetBool(&opts, true)
	want = DefaultOptions()
	want.ProcMountInUserNamespace = true
	assert.Equal(t, want, opts)

	_, ok = ruleByID(t, privilegedID).Setting("requireProfile")
	assert.False(t, ok, "a setting belongs to the rule that declares it")
}
