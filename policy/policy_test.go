package policy_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// Without a configuration the aks profile's rules are enforced and the others are off, the system namespaces
// are left alone and the control plane's own workload controllers are only warned about.
func TestDefault(t *testing.T) {
	p := policy.Default()

	assert.Equal(t, rules.AKS, p.Profile)
	assert.Equal(t, rules.IDs(), ruleIDs(p))
	aks := []string{"privileged", "privilege-escalation", "run-as-root", "seccomp-profile", "apparmor-profile", "user-subject", "broad-subject", "pdb-allows-disruption"}
	for _, r := range p.Rules {
		if slices.Contains(aks, r.ID) {
			assert.Equal(t, policy.Enforce, r.Mode, r.ID)
		} else {
			assert.Equal(t, policy.Off, r.Mode, r.ID)
		}
	}
	assert.Equal(t, rules.DefaultOptions(), p.Options)
	assert.Equal(t, policy.Exemptions{
		Namespaces: policy.Plain("kube-system", "kube-public", "kube-node-lease"),
		Users:      []policy.Entry{},
		Groups:     []policy.Entry{},
		DryRunUsers: policy.Plain(
			"system:serviceaccount:kube-system:replicaset-controller",
			"system:serviceaccount:kube-system:deployment-controller",
			"system:serviceaccount:kube-system:statefulset-controller",
			"system:serviceaccount:kube-system:daemon-set-controller",
			"system:serviceaccount:kube-system:job-controller",
			"system:serviceaccount:kube-system:cronjob-controller",
			"system:serviceaccount:kube-system:replication-controller",
			"system:kube-controller-manager",
			"system:node:*",
		),
	}, p.Exemptions)
	assert.Equal(t, policy.DefaultExemptions(), p.Exemptions)
}

// Two default policies share nothing: changing one must not change the next.
func TestDefaultIsFresh(t *testing.T) {
	first := policy.Default()
	first.Rules[0].Mode = policy.Off
	first.Options.AllowedUsers[0] = "changed"
	first.Exemptions.Namespaces[0].Name = "changed"
	first.Exemptions.DryRunUsers[0].Name = "changed"

	second := policy.Default()
	assert.Equal(t, policy.Enforce, second.Rules[0].Mode)
	assert.Equal(t, []string{"system:*"}, second.Options.AllowedUsers)
	assert.Equal(t, "kube-system", second.Exemptions.Namespaces[0].Name)
	assert.Equal(t, "system:serviceaccount:kube-system:replicaset-controller", second.Exemptions.DryRunUsers[0].Name)
}

func TestExemptNamespace(t *testing.T) {
	configured, err := policy.Parse([]byte("exemptions:\n  namespaces: [monitoring]\n"))
	require.NoError(t, err)

	tests := []struct {
		name   string
		policy *policy.Policy
		ns     string
		want   bool
	}{
		{name: "default kube-system", policy: policy.Default(), ns: "kube-system", want: true},
		{name: "default kube-public", policy: policy.Default(), ns: "kube-public", want: true},
		{name: "default kube-node-lease", policy: policy.Default(), ns: "kube-node-lease", want: true},
		{name: "default application namespace", policy: policy.Default(), ns: "payments", want: false},
		{name: "cluster-scoped object", policy: policy.Default(), ns: "", want: false},
		{name: "configured namespace", policy: configured, ns: "monitoring", want: true},
		{name: "namespaces are exact, not prefixes", policy: configured, ns: "monitoring-2", want: false},
		{name: "configured list replaces the defaults", policy: configured, ns: "kube-system", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.policy.ExemptNamespace(tt.ns, time.Now()))
		})
	}
}

func TestExemptRequester(t *testing.T) {
	p, err := policy.Parse([]byte(`
exemptions:
  users: [ci-bot, "system:serviceaccount:tools:*"]
  groups: [platform-admins]
`))
	require.NoError(t, err)

	tests := []struct {
		name   string
		user   string
		groups []string
		want   bool
	}{
		{name: "exact user", user: "ci-bot", want: true},
		{name: "user with the exact name as prefix", user: "ci-bot2", want: false},
		{name: "user matching a prefix pattern", user: "system:serviceaccount:tools:deployer", want: true},
		{name: "user equal to the prefix", user: "system:serviceaccount:tools:", want: true},
		{name: "user short of the prefix", user: "system:serviceaccount:tools", want: false},
		{name: "user in another namespace", user: "system:serviceaccount:payments:deployer", want: false},
		{name: "exempt group among others", user: "alice", groups: []string{"system:authenticated", "platform-admins"}, want: true},
		{name: "groups are exact, not prefixes", user: "alice", groups: []string{"platform-admins-readonly"}, want: false},
		{name: "no groups", user: "alice", want: false},
		{name: "anonymous", user: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, p.ExemptRequester(tt.user, tt.groups, time.Now()))
		})
	}

	t.Run("nobody by default", func(t *testing.T) {
		assert.False(t, policy.Default().ExemptRequester("system:serviceaccount:kube-system:replicaset-controller", []string{"system:masters"}, time.Now()))
	})
}

func TestDryRunRequester(t *testing.T) {
	configured, err := policy.Parse([]byte("exemptions:\n  dryRunUsers: [\"migration-*\"]\n"))
	require.NoError(t, err)

	tests := []struct {
		name   string
		policy *policy.Policy
		user   string
		want   bool
	}{
		{name: "replicaset controller", policy: policy.Default(), user: "system:serviceaccount:kube-system:replicaset-controller", want: true},
		{name: "cronjob controller", policy: policy.Default(), user: "system:serviceaccount:kube-system:cronjob-controller", want: true},
		{name: "controller manager", policy: policy.Default(), user: "system:kube-controller-manager", want: true},
		{name: "a kubelet", policy: policy.Default(), user: "system:node:aks-nodepool1-12345678-vmss000000", want: true},
		{name: "not a node name", policy: policy.Default(), user: "system:nodes", want: false},
		{name: "controller name in another namespace", policy: policy.Default(), user: "system:serviceaccount:default:replicaset-controller", want: false},
		{name: "a developer", policy: policy.Default(), user: "alice@contoso.com", want: false},
		{name: "configured prefix", policy: configured, user: "migration-bot", want: true},
		{name: "configured list replaces the defaults", policy: configured, user: "system:kube-controller-manager", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.policy.DryRunRequester(tt.user, time.Now()))
		})
	}
}
