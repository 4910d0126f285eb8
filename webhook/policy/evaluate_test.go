package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kubeguard/kubeguard/rules"
	"github.com/kubeguard/kubeguard/webhook/policy"
)

// compliantPod passes every pod rule: the pod sets what its container inherits, the container disallows
// privilege escalation.
func compliantPod() *rules.Pod {
	return &rules.Pod{Spec: rules.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:    new(true),
			SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
		},
		Containers: []rules.Container{{Name: "web", SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}}},
	}}
}

// privilegedPod breaks two rules in its one container: privileged, and privilege-escalation (a privileged
// container always may escalate, so the field is left unset).
func privilegedPod() *rules.Pod {
	pod := compliantPod()
	pod.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: new(true)}
	return pod
}

// found names each violation by rule and field, the parts of a violation that the policy decides on.
func found(vs []rules.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule+" "+v.Field)
	}
	return out
}

const (
	privilegedField = "privileged spec.containers[0].securityContext.privileged"
	escalationField = "privilege-escalation spec.containers[0].securityContext.allowPrivilegeEscalation"
)

func TestEvaluatePod(t *testing.T) {
	tests := []struct {
		name         string
		config       string
		pod          *rules.Pod
		allDryRun    bool
		wantEnforced []string
		wantDryRun   []string
	}{
		{
			name: "compliant",
			pod:  compliantPod(),
		},
		{
			name:         "enforced by default, in rule order",
			pod:          privilegedPod(),
			wantEnforced: []string{privilegedField, escalationField},
		},
		{
			name:       "every rule dry-run",
			config:     "mode: dry-run\n",
			pod:        privilegedPod(),
			wantDryRun: []string{privilegedField, escalationField},
		},
		{
			name:       "all dry-run on an enforcing policy",
			pod:        privilegedPod(),
			allDryRun:  true,
			wantDryRun: []string{privilegedField, escalationField},
		},
		{
			name:         "one rule dry-run",
			config:       "rules:\n  privileged: {mode: dry-run}\n",
			pod:          privilegedPod(),
			wantEnforced: []string{escalationField},
			wantDryRun:   []string{privilegedField},
		},
		{
			name:         "one rule off",
			config:       "rules:\n  privileged: {mode: off}\n",
			pod:          privilegedPod(),
			wantEnforced: []string{escalationField},
		},
		{
			name:       "all dry-run never revives a rule that is off",
			config:     "rules:\n  privileged: {mode: off}\n",
			pod:        privilegedPod(),
			allDryRun:  true,
			wantDryRun: []string{escalationField},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.config))
			require.NoError(t, err)
			res := p.EvaluatePod(tt.pod, tt.allDryRun)
			assert.Equal(t, tt.wantEnforced, found(res.Enforced), "enforced")
			assert.Equal(t, tt.wantDryRun, found(res.DryRun), "dry-run")
			assert.Equal(t, tt.wantEnforced == nil && tt.wantDryRun == nil, res.Empty())
		})
	}
}

func TestEvaluateBinding(t *testing.T) {
	binding := &rules.Binding{Subjects: []rbacv1.Subject{
		{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "payments-devs"},
		{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "alice@contoso.com"},
		{Kind: rbacv1.ServiceAccountKind, Name: "deployer", Namespace: "payments"},
		{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "system:kube-scheduler"},
	}}
	const alice = "user-subject subjects[1]"

	tests := []struct {
		name         string
		config       string
		allDryRun    bool
		wantEnforced []string
		wantDryRun   []string
	}{
		{name: "enforced by default", wantEnforced: []string{alice}},
		{name: "all dry-run", allDryRun: true, wantDryRun: []string{alice}},
		{name: "rule dry-run", config: "rules:\n  user-subject: {mode: dry-run}\n", wantDryRun: []string{alice}},
		{name: "rule off", config: "rules:\n  user-subject: {mode: off}\n"},
		{name: "user allowed", config: "rules:\n  user-subject: {allowedUsers: [\"system:*\", \"alice@*\"]}\n"},
		{
			name:         "system users no longer allowed",
			config:       "rules:\n  user-subject: {allowedUsers: [alice@contoso.com]}\n",
			wantEnforced: []string{"user-subject subjects[3]"},
		},
		{name: "pod rules do not judge bindings", config: "rules:\n  user-subject: {mode: off}\n  privileged: {mode: enforce}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.config))
			require.NoError(t, err)
			res := p.EvaluateBinding(binding, tt.allDryRun)
			assert.Equal(t, tt.wantEnforced, found(res.Enforced), "enforced")
			assert.Equal(t, tt.wantDryRun, found(res.DryRun), "dry-run")
		})
	}
}

// A pod is never judged by binding rules, whatever their mode.
func TestEvaluatePodIgnoresBindingRules(t *testing.T) {
	p, err := policy.Parse([]byte("rules:\n  user-subject: {mode: enforce, allowedUsers: []}\n"))
	require.NoError(t, err)
	assert.True(t, p.EvaluatePod(compliantPod(), false).Empty())
}
