package policy_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// modes returns every rule's mode by ID.
func modes(p *policy.Policy) map[string]policy.Mode {
	out := map[string]policy.Mode{}
	for _, r := range p.Rules {
		out[r.ID] = r.Mode
	}
	return out
}

// ruleIDs returns the policy's rule IDs in order.
func ruleIDs(p *policy.Policy) []string {
	ids := make([]string, len(p.Rules))
	for i, r := range p.Rules {
		ids[i] = r.ID
	}
	return ids
}

// assertSamePolicy compares what a policy decides; its rules hold functions, which never compare equal.
func assertSamePolicy(t *testing.T, want, got *policy.Policy) {
	t.Helper()
	assert.Equal(t, ruleIDs(want), ruleIDs(got))
	assert.Equal(t, modes(want), modes(got))
	assert.Equal(t, want.Options, got.Options)
	assert.Equal(t, want.Exemptions, got.Exemptions)
}

func TestLoadFullFile(t *testing.T) {
	p, err := policy.Load(filepath.Join("testdata", "full.yaml"))
	require.NoError(t, err)

	assert.Equal(t, rules.IDs(), ruleIDs(p), "every rule, turned off or not, in evaluation order")
	assert.Equal(t, rules.Restricted, p.Profile)
	version, err := rules.ParseVersion("v1.30")
	require.NoError(t, err)
	assert.Equal(t, version, p.ProfileVersion)
	want := map[string]policy.Mode{}
	for _, id := range rules.IDs() {
		want[id] = policy.DryRun // the global mode, over every rule of the restricted profile
	}
	want["privileged"], want["privilege-escalation"], want["user-subject"] = policy.Enforce, policy.Enforce, policy.Enforce
	want["seccomp-profile"] = policy.Off
	want["probe-host"] = policy.Off // the levels judge probe hosts from v1.34, after the file's v1.30
	assert.Equal(t, want, modes(p))
	assert.Equal(t, rules.Options{
		RequireAppArmorProfile:   false,
		AllowedUsers:             []string{"system:*", "breakglass@contoso.com"},
		AllowedBroadClusterRoles: []string{"system:*"},
		ProcMountInUserNamespace: true,
		PodSecurityVersion:       version,
	}, p.Options)
	assert.Equal(t, policy.Exemptions{
		Namespaces:  policy.Plain("monitoring", "kube-system"),
		Users:       policy.Plain("ci-bot", "system:serviceaccount:tools:*"),
		Groups:      policy.Plain("platform-admins"),
		DryRunUsers: policy.Plain("system:serviceaccount:kube-system:replicaset-controller"),
	}, p.Exemptions)
}

// A file that says nothing, or nothing but comments, is the default policy.
func TestParseEmptyGivesDefaults(t *testing.T) {
	for name, data := range map[string]string{
		"empty":           "",
		"comments only":   "# kubeguard configuration\n# nothing set yet\n",
		"empty mapping":   "{}\n",
		"document marker": "---\n",
		"null mode":       "mode:\n",
		"null rule":       "rules:\n  privileged:\n",
	} {
		t.Run(name, func(t *testing.T) {
			p, err := policy.Parse([]byte(data))
			require.NoError(t, err)
			assertSamePolicy(t, policy.Default(), p)
		})
	}
}

func TestParseModes(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want map[string]policy.Mode // rules not listed keep their default mode: enforce under aks, or off
	}{
		{
			name: "global dry-run",
			yaml: "mode: dry-run\n",
			want: map[string]policy.Mode{
				"privileged": policy.DryRun, "privilege-escalation": policy.DryRun, "run-as-root": policy.DryRun,
				"seccomp-profile": policy.DryRun, "apparmor-profile": policy.DryRun, "user-subject": policy.DryRun, "broad-subject": policy.DryRun,
				"pdb-allows-disruption": policy.DryRun,
			},
		},
		{
			name: "one rule dry-run under a global enforce",
			yaml: "mode: enforce\nrules:\n  privileged: {mode: dry-run}\n",
			want: map[string]policy.Mode{"privileged": policy.DryRun},
		},
		{
			name: "one rule enforced under a global dry-run",
			yaml: "mode: dry-run\nrules:\n  user-subject: {mode: enforce}\n",
			want: map[string]policy.Mode{
				"privileged": policy.DryRun, "privilege-escalation": policy.DryRun, "run-as-root": policy.DryRun,
				"seccomp-profile": policy.DryRun, "apparmor-profile": policy.DryRun, "user-subject": policy.Enforce, "broad-subject": policy.DryRun,
				"pdb-allows-disruption": policy.DryRun,
			},
		},
		{
			name: "rules before the global mode still override it",
			yaml: "rules:\n  run-as-root:\n    mode: enforce\nmode: dry-run\n",
			want: map[string]policy.Mode{
				"privileged": policy.DryRun, "privilege-escalation": policy.DryRun, "run-as-root": policy.Enforce,
				"seccomp-profile": policy.DryRun, "apparmor-profile": policy.DryRun, "user-subject": policy.DryRun, "broad-subject": policy.DryRun,
				"pdb-allows-disruption": policy.DryRun,
			},
		},
		{
			name: "rules off",
			yaml: "rules:\n  seccomp-profile: {mode: off}\n  apparmor-profile: {mode: off}\n",
			want: map[string]policy.Mode{"seccomp-profile": policy.Off, "apparmor-profile": policy.Off},
		},
		{
			name: "a rule outside the profile turned on",
			yaml: "rules:\n  host-namespaces: {mode: dry-run}\n",
			want: map[string]policy.Mode{"host-namespaces": policy.DryRun},
		},
		{
			name: "settings without a mode keep the global mode",
			yaml: "mode: dry-run\nrules:\n  apparmor-profile: {requireProfile: false}\n",
			want: map[string]policy.Mode{
				"privileged": policy.DryRun, "privilege-escalation": policy.DryRun, "run-as-root": policy.DryRun,
				"seccomp-profile": policy.DryRun, "apparmor-profile": policy.DryRun, "user-subject": policy.DryRun, "broad-subject": policy.DryRun,
				"pdb-allows-disruption": policy.DryRun,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.yaml))
			require.NoError(t, err)
			want := modes(policy.Default())
			for id, m := range tt.want {
				want[id] = m
			}
			assert.Equal(t, want, modes(p))
		})
	}
}

// withOptions is the default options changed by change.
func withOptions(change func(o *rules.Options)) rules.Options {
	o := rules.DefaultOptions()
	change(&o)
	return o
}

func TestParseRuleSettings(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want rules.Options
	}{
		{
			name: "requireProfile false",
			yaml: "rules:\n  apparmor-profile:\n    requireProfile: false\n",
			want: withOptions(func(o *rules.Options) { o.RequireAppArmorProfile = false }),
		},
		{
			name: "allowedUsers replaces the default list",
			yaml: "rules:\n  user-subject:\n    allowedUsers: [breakglass@contoso.com, \"ops-*\"]\n",
			want: withOptions(func(o *rules.Options) { o.AllowedUsers = []string{"breakglass@contoso.com", "ops-*"} }),
		},
		{
			name: "empty allowedUsers allows no User at all",
			yaml: "rules:\n  user-subject: {allowedUsers: []}\n",
			want: withOptions(func(o *rules.Options) { o.AllowedUsers = []string{} }),
		},
		{
			name: "allowedClusterRoles replaces the default list",
			yaml: "rules:\n  broad-subject: {allowedClusterRoles: [\"system:*\", company-catalog]}\n",
			want: withOptions(func(o *rules.Options) { o.AllowedBroadClusterRoles = []string{"system:*", "company-catalog"} }),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.yaml))
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.Options)
		})
	}
}

// YAML anchors and aliases are plain YAML: a list may be shared between keys.
func TestParseAliases(t *testing.T) {
	p, err := policy.Parse([]byte("exemptions:\n  users: &people [ci-bot, \"ops-*\"]\n  dryRunUsers: *people\n"))
	require.NoError(t, err)
	assert.Equal(t, policy.Plain("ci-bot", "ops-*"), p.Exemptions.Users)
	assert.Equal(t, policy.Plain("ci-bot", "ops-*"), p.Exemptions.DryRunUsers)
}

// An exemption list that is given replaces its default, even when empty; one that is not given keeps it.
func TestParseExemptionsReplaceDefaults(t *testing.T) {
	p, err := policy.Parse([]byte("exemptions:\n  namespaces: []\n  users: [ci-bot]\n"))
	require.NoError(t, err)
	defaults := policy.DefaultExemptions()
	assert.Equal(t, policy.Exemptions{
		Namespaces:  []policy.Entry{},
		Users:       policy.Plain("ci-bot"),
		Groups:      defaults.Groups,
		DryRunUsers: defaults.DryRunUsers,
	}, p.Exemptions)
}

// Every refused configuration says what is wrong and on which line, so that an admin can fix it without
// guessing.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		line int      // 0: some line, where the YAML parser puts it
		want []string // parts of the message
	}{
		{
			name: "unknown profile",
			yaml: "mode: enforce\nprofile: strict\n",
			line: 2,
			want: []string{`profile: unknown profile "strict" (want aks, baseline, restricted)`},
		},
		{
			name: "profileVersion of another major version",
			yaml: "profile: baseline\nprofileVersion: v2.0\n",
			line: 2,
			want: []string{`profileVersion: "v2.0" is not a Pod Security version (want latest or v1.N, such as v1.37)`},
		},
		{
			name: "profileVersion newer than kubeguard knows",
			yaml: "profileVersion: v1.99\nprofile: restricted\n",
			line: 1,
			want: []string{`profileVersion: "v1.99" is newer than the newest Pod Security version kubeguard knows (v1.37)`},
		},
		{
			name: "profileVersion without its v",
			yaml: "profile: restricted\n\nprofileVersion: 1.30\n",
			line: 3,
			want: []string{`profileVersion: "1.30" is not a Pod Security version`},
		},
		{
			name: "profileVersion garbage",
			yaml: "profileVersion: newest\n",
			line: 1,
			want: []string{`profileVersion: "newest" is not a Pod Security version`},
		},
		{
			name: "profileVersion as a list",
			yaml: "profileVersion: [v1.30]\n",
			line: 1,
			want: []string{"expected a single value"},
		},
		{
			name: "unknown top-level key",
			yaml: "mode: enforce\nrule:\n  privileged: {}\n",
			line: 2,
			want: []string{`unknown key "rule"`},
		},
		{
			name: "unknown key under exemptions",
			yaml: "exemptions:\n  namespaces: []\n  user: [alice]\n",
			line: 3,
			want: []string{`unknown key "user"`},
		},
		{
			name: "unknown rule ID",
			yaml: "rules:\n  privileged: {}\n  host-network: {mode: off}\n",
			line: 3,
			want: []string{`unknown rule "host-network"`, "privileged", "user-subject"},
		},
		{
			name: "setting of another rule",
			yaml: "rules:\n  privileged:\n    mode: enforce\n    requireProfile: true\n",
			line: 4,
			want: []string{`rule "privileged" has no setting "requireProfile"`},
		},
		{
			name: "misspelt setting",
			yaml: "rules:\n  user-subject:\n    allowedUser: [alice]\n",
			line: 3,
			want: []string{`rule "user-subject" has no setting "allowedUser"`, "allowedUsers"},
		},
		{
			name: "rule configured twice",
			yaml: "rules:\n  privileged: {}\n  privileged: {mode: off}\n",
			line: 3,
			want: []string{`rule "privileged" is configured twice`},
		},
		{
			name: "rules not a mapping",
			yaml: "rules:\n  - privileged\n",
			line: 2,
			want: []string{"rules must be a mapping"},
		},
		{
			name: "rule settings not a mapping",
			yaml: "rules:\n  privileged: enforce\n",
			line: 2,
			want: []string{`settings of rule "privileged" must be a mapping`},
		},
		{
			name: "single name where a list is expected",
			yaml: "exemptions:\n  namespaces: kube-system\n",
			line: 2,
			want: []string{"exemptions.namespaces must be a list"},
		},
		{
			name: "bad updates value",
			yaml: "mode: enforce\nupdates: partial\n",
			line: 2,
			want: []string{"updates:", `unknown value "partial"`, "ratchet or full"},
		},
		{
			name: "bad top-level enforceAfter",
			yaml: "enforceAfter: 2026-09-01\n",
			line: 1,
			want: []string{"enforceAfter", `"2026-09-01" is not an RFC 3339 timestamp`},
		},
		{
			name: "updates as a list",
			yaml: "updates:\n  - ratchet\n",
			line: 2,
			want: []string{"updates", "expected a single value"},
		},
		{
			name: "bad rule enforceAfter",
			yaml: "rules:\n  privileged:\n    enforceAfter: next week\n",
			line: 3,
			want: []string{"rules.privileged.enforceAfter", `"next week" is not an RFC 3339 timestamp`},
		},
		{
			name: "enforceAfter as a list",
			yaml: "rules:\n  privileged:\n    enforceAfter: [2026-09-01T00:00:00Z]\n",
			line: 3,
			want: []string{"rules.privileged.enforceAfter", "expected an RFC 3339 timestamp"},
		},
		{
			name: "unknown key in a dry-run namespace",
			yaml: "dryRunNamespaces:\n  - name: legacy\n    untill: 2026-09-01T00:00:00Z\n",
			line: 3,
			want: []string{"dryRunNamespaces", `unknown key "untill"`},
		},
		{
			name: "bad until in an exemption",
			yaml: "exemptions:\n  users:\n    - {name: ci-bot, until: tomorrow}\n",
			line: 3,
			want: []string{"exemptions.users.until", `"tomorrow" is not an RFC 3339 timestamp`},
		},
		{
			name: "the zero time as an exemption's until",
			yaml: "exemptions:\n  users:\n    - {name: ci-bot, until: 0001-01-01T00:00:00Z}\n",
			line: 3,
			want: []string{"exemptions.users.until", `"0001-01-01T00:00:00Z" is before 2000-01-01`},
		},
		{
			name: "an offset that normalises to the zero time",
			yaml: "exemptions:\n  namespaces:\n    - name: legacy\n      until: 0001-01-01T01:00:00+01:00\n",
			line: 4,
			want: []string{"exemptions.namespaces.until", "is before 2000-01-01"},
		},
		{
			name: "a dry-run namespace's until before 2000",
			yaml: "dryRunNamespaces:\n  - {name: legacy, until: 1999-12-31T23:59:59Z}\n",
			line: 2,
			want: []string{"dryRunNamespaces", "until", "is before 2000-01-01"},
		},
		{
			name: "the zero time as the top-level enforceAfter",
			yaml: "mode: enforce\nenforceAfter: 0001-01-01T00:00:00Z\n",
			line: 2,
			want: []string{"enforceAfter", "is before 2000-01-01"},
		},
		{
			name: "a rule's enforceAfter before 2000",
			yaml: "rules:\n  privileged:\n    enforceAfter: 1970-01-01T00:00:00Z\n",
			line: 3,
			want: []string{"rules.privileged.enforceAfter", "is before 2000-01-01"},
		},
		{
			name: "exemption entry without a name",
			yaml: "exemptions:\n  groups:\n    - {until: 2026-09-01T00:00:00Z, reason: migration}\n",
			line: 3,
			want: []string{"exemptions.groups", "needs a name"},
		},
		{
			name: "exemption entry of the wrong type",
			yaml: "exemptions:\n  namespaces:\n    - [legacy]\n",
			line: 3,
			want: []string{"exemptions.namespaces", "each entry is a name or {name, until, reason}"},
		},
		{
			name: "bad pattern in a time-boxed dry-run user",
			yaml: "exemptions:\n  dryRunUsers:\n    - {name: \"a*b\", until: 2026-09-01T00:00:00Z}\n",
			line: 3,
			want: []string{"exemptions.dryRunUsers", `"*" may only end a name`},
		},
		{
			name: "dryRunNamespaces not a list",
			yaml: "dryRunNamespaces: legacy\n",
			line: 1,
			want: []string{"dryRunNamespaces must be a list"},
		},
		{
			name: "word where a boolean is expected",
			yaml: "rules:\n  apparmor-profile:\n    requireProfile: maybe\n",
			line: 3,
			want: []string{"cannot unmarshal", "maybe", "bool"},
		},
		{
			name: "list where a mode is expected",
			yaml: "mode: [enforce]\n",
			line: 1,
			want: []string{"expected a single value"},
		},
		{
			name: "bad global mode",
			yaml: "# kubeguard\nmode: block\n",
			line: 2,
			want: []string{`unknown mode "block"`, "enforce", "dry-run"},
		},
		{
			name: "bad rule mode",
			yaml: "rules:\n  privileged: {mode: strict}\n",
			line: 2,
			want: []string{"rules.privileged.mode", `unknown mode "strict"`, "off"},
		},
		{
			name: "global off",
			yaml: "mode: off\n",
			line: 1,
			want: []string{`mode "off" is not allowed here`},
		},
		{
			name: "star inside an exempt user",
			yaml: "exemptions:\n  users:\n    - alice\n    - \"system:*:admin\"\n",
			line: 4,
			want: []string{`"system:*:admin"`, `"*" may only end a name`},
		},
		{
			name: "star at the start of a dry-run user",
			yaml: "exemptions:\n  dryRunUsers:\n    - \"*-controller\"\n",
			line: 3,
			want: []string{`"*-controller"`, `"*" may only end a name`},
		},
		{
			name: "star inside an allowed user",
			yaml: "rules:\n  user-subject:\n    allowedUsers: [\"system:*\", \"*@contoso.com\"]\n",
			line: 3,
			want: []string{`"*@contoso.com"`, `"*" may only end a name`},
		},
		{
			name: "empty user name",
			yaml: "exemptions:\n  users: [alice, \"\"]\n",
			line: 2,
			want: []string{"empty name"},
		},
		{
			name: "two documents",
			yaml: "mode: enforce\n---\nmode: dry-run\n",
			line: 2,
			want: []string{"single YAML document"},
		},
		{
			name: "star in a list reached through an alias",
			yaml: "exemptions:\n  users: &people\n    - \"a*b\"\n  dryRunUsers: *people\n",
			line: 3,
			want: []string{`"a*b"`, `"*" may only end a name`},
		},
		{
			name: "a second document that does not parse",
			yaml: "mode: enforce\n---\nmode: [dry-run\n",
			line: 0, // the YAML parser's own position of the error
			want: []string{"single YAML document", "did not find expected"},
		},
		{
			name: "key given twice",
			yaml: "mode: enforce\nexemptions: {}\nmode: dry-run\n",
			line: 3,
			want: []string{`"mode" already defined`},
		},
		{
			name: "rule setting given twice",
			yaml: "rules:\n  apparmor-profile:\n    mode: dry-run\n    mode: off\n",
			line: 4,
			want: []string{`rules.apparmor-profile.mode is given twice`},
		},
		{
			name: "not YAML",
			yaml: "mode: [enforce\n",
			line: 1,
			want: []string{"did not find expected"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.yaml))
			require.Error(t, err)
			assert.Nil(t, p)
			if tt.line == 0 {
				assert.Contains(t, err.Error(), "line ")
			} else {
				assert.Contains(t, err.Error(), fmt.Sprintf("line %d:", tt.line))
			}
			for _, part := range tt.want {
				assert.Contains(t, err.Error(), part)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		_, err := policy.Load(filepath.Join(t.TempDir(), "kubeguard.yaml"))
		require.Error(t, err)
		assert.ErrorIs(t, err, fs.ErrNotExist)
	})
	t.Run("invalid file names itself", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kubeguard.yaml")
		require.NoError(t, os.WriteFile(path, []byte("mode: enforce\nmodes: dry-run\n"), 0o600))
		_, err := policy.Load(path)
		require.Error(t, err)
		assert.Contains(t, err.Error(), path)
		assert.Contains(t, err.Error(), `line 2: unknown key "modes"`)
	})
}

func TestFarAhead(t *testing.T) {
	p, err := policy.Parse([]byte("enforceAfter: 2030-01-02T00:00:00Z\n" +
		"rules:\n  privileged: {enforceAfter: 2029-12-31T00:00:00Z}\n" +
		"exemptions:\n  groups:\n    - {name: far, until: 9999-12-31T23:59:59Z}\n    - {name: near, until: 2027-01-01T00:00:00Z}\n" +
		"dryRunNamespaces:\n  - {name: legacy, until: 2030-01-01T00:00:01Z}\n"))
	require.NoError(t, err)
	now := time.Date(2027, time.January, 1, 0, 0, 0, 0, time.UTC) // three years ahead: 2030-01-01T00:00:00Z

	var got []string
	for _, d := range p.FarAhead(now) {
		got = append(got, d.Key+"/"+d.Name)
	}
	assert.Contains(t, got, "rules.run-as-root.enforceAfter/", "the top-level date reaches every rule")
	assert.NotContains(t, got, "rules.privileged.enforceAfter/", "a rule's own date within three years")
	assert.Contains(t, got, "exemptions.groups.until/far")
	assert.NotContains(t, got, "exemptions.groups.until/near")
	assert.Contains(t, got, "dryRunNamespaces.until/legacy", "one second past three years")
}
