package policy_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
)

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Updates are ratcheted unless the file asks for full judgement.
func TestParseUpdates(t *testing.T) {
	p, err := policy.Parse(nil)
	require.NoError(t, err)
	assert.Equal(t, policy.Ratchet, p.Updates)

	p, err = policy.Parse([]byte("updates: full\n"))
	require.NoError(t, err)
	assert.Equal(t, policy.Full, p.Updates)
}

// The top-level enforceAfter is every rule's date; a rule's own date wins.
func TestParseEnforceAfter(t *testing.T) {
	p, err := policy.Parse([]byte(`
enforceAfter: 2027-01-01T00:00:00Z
rules:
  seccomp-profile: {enforceAfter: "2027-06-01T12:00:00+02:00"}
  privileged: {mode: dry-run}
`))
	require.NoError(t, err)
	dates := map[string]time.Time{}
	for _, r := range p.Rules {
		dates[r.ID] = r.EnforceAfter
	}
	assert.Equal(t, date("2027-06-01T10:00:00Z"), dates["seccomp-profile"])
	assert.Equal(t, date("2027-01-01T00:00:00Z"), dates["run-as-root"])
	assert.Equal(t, date("2027-01-01T00:00:00Z"), dates["privileged"])
}

// An enforced rule acts as dry-run until its date, and as enforced from it; other modes never change.
func TestRuleModeAt(t *testing.T) {
	at := date("2027-01-01T00:00:00Z")
	before, after := at.Add(-time.Second), at
	tests := []struct {
		name string
		rule policy.Rule
		now  time.Time
		want policy.Mode
	}{
		{name: "no date", rule: policy.Rule{Mode: policy.Enforce}, now: before, want: policy.Enforce},
		{name: "before the date", rule: policy.Rule{Mode: policy.Enforce, EnforceAfter: at}, now: before, want: policy.DryRun},
		{name: "at the date", rule: policy.Rule{Mode: policy.Enforce, EnforceAfter: at}, now: after, want: policy.Enforce},
		{name: "dry-run stays dry-run", rule: policy.Rule{Mode: policy.DryRun, EnforceAfter: at}, now: after, want: policy.DryRun},
		{name: "off stays off", rule: policy.Rule{Mode: policy.Off, EnforceAfter: at}, now: before, want: policy.Off},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.rule.ModeAt(tt.now))
		})
	}
}

// Every list entry may be a name or {name, until, reason}; an entry applies until its date.
func TestParseTimeBoxedEntries(t *testing.T) {
	p, err := policy.Parse([]byte(`
dryRunNamespaces:
  - legacy
  - {name: payments, until: 2027-01-01T00:00:00Z, reason: migrating to distroless}
exemptions:
  namespaces: [kube-system, {name: monitoring, until: 2027-01-01T00:00:00Z}]
  users: [{name: "ci-*", until: 2027-01-01T00:00:00Z, reason: pipeline rewrite}]
  groups: [{name: platform-admins, until: 2027-01-01T00:00:00Z}]
  dryRunUsers: [{name: migration-bot, until: 2027-01-01T00:00:00Z}]
`))
	require.NoError(t, err)
	until := date("2027-01-01T00:00:00Z")
	assert.Equal(t, []policy.Entry{{Name: "legacy"}, {Name: "payments", Until: until, Reason: "migrating to distroless"}}, p.DryRunNamespaces)
	assert.Equal(t, []policy.Entry{{Name: "ci-*", Until: until, Reason: "pipeline rewrite"}}, p.Exemptions.Users)

	before, after := until.Add(-time.Hour), until
	tests := []struct {
		name         string
		check        func(now time.Time) bool
		before, then bool
	}{
		{name: "plain dry-run namespace", check: func(now time.Time) bool { return p.DryRunNamespace("legacy", now) }, before: true, then: true},
		{name: "dated dry-run namespace", check: func(now time.Time) bool { return p.DryRunNamespace("payments", now) }, before: true, then: false},
		{name: "other namespace", check: func(now time.Time) bool { return p.DryRunNamespace("team-a", now) }},
		{name: "plain exempt namespace", check: func(now time.Time) bool { return p.ExemptNamespace("kube-system", now) }, before: true, then: true},
		{name: "dated exempt namespace", check: func(now time.Time) bool { return p.ExemptNamespace("monitoring", now) }, before: true},
		{name: "dated exempt user prefix", check: func(now time.Time) bool { return p.ExemptRequester("ci-deployer", nil, now) }, before: true},
		{name: "dated exempt group", check: func(now time.Time) bool { return p.ExemptRequester("alice", []string{"platform-admins"}, now) }, before: true},
		{name: "dated dry-run user", check: func(now time.Time) bool { return p.DryRunRequester("migration-bot", now) }, before: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.before, tt.check(before), "before the date")
			assert.Equal(t, tt.then, tt.check(after), "from the date")
		})
	}
}

// Startup reports the entries that have run out and those that will within two weeks, not the others.
func TestExpiring(t *testing.T) {
	p, err := policy.Parse([]byte(`
dryRunNamespaces: [{name: old, until: 2026-11-01T00:00:00Z}, {name: soon, until: 2026-12-10T00:00:00Z}, {name: later, until: 2027-03-01T00:00:00Z}, forever]
exemptions:
  users: [{name: ci-bot, until: 2026-12-03T00:00:00Z, reason: pipeline rewrite}]
`))
	require.NoError(t, err)
	got := p.Expiring(date("2026-12-01T00:00:00Z"))
	require.Len(t, got, 3)
	assert.Equal(t, policy.Expiring{Key: "dryRunNamespaces", Entry: policy.Entry{Name: "old", Until: date("2026-11-01T00:00:00Z")}, Expired: true}, got[1])
	assert.Equal(t, "exemptions.users", got[0].Key)
	assert.Equal(t, "pipeline rewrite", got[0].Reason)
	assert.False(t, got[0].Expired)
	assert.Equal(t, "soon", got[2].Name)
	assert.False(t, got[2].Expired)
}
