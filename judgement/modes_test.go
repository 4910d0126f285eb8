package judgement_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

var (
	podKind     = schema.GroupKind{Kind: "Pod"}
	bindingKind = schema.GroupKind{Group: rbacv1.GroupName, Kind: "RoleBinding"}
)

// podDocument is a Pod named "web" in namespace "payments" whose spec and annotations are pod's.
func podDocument(pod *rules.Pod) *objects.Document {
	d := &objects.Document{}
	d.Metadata.Name, d.Metadata.Namespace = "web", "payments"
	d.Spec.PodSpec = pod.Spec
	d.Metadata.Annotations = pod.Annotations
	return d
}

// createPod asks to create pod as a developer.
func createPod(pod *rules.Pod) *judgement.Request {
	return &judgement.Request{Kind: podKind, Operation: admissionv1.Create, Namespace: "payments", User: "alice@contoso.com", Object: podDocument(pod)}
}

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

func TestJudgePodModes(t *testing.T) {
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
			req := createPod(tt.pod)
			req.AllDryRun = tt.allDryRun
			v := judgement.Judge(p, req)
			assert.Equal(t, tt.wantEnforced, found(v.Enforced), "enforced")
			assert.Equal(t, tt.wantDryRun, found(v.DryRun), "dry-run")
			want := judgement.Allowed
			switch {
			case tt.wantEnforced != nil:
				want = judgement.Denied
			case tt.wantDryRun != nil:
				want = judgement.Warned
			}
			assert.Equal(t, want, v.Decision)
		})
	}
}

func TestJudgeBindingModes(t *testing.T) {
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
			d := &objects.Document{Binding: *binding}
			d.Metadata.Name = "payments-access"
			v := judgement.Judge(p, &judgement.Request{
				Kind: bindingKind, Operation: admissionv1.Create, Namespace: "payments", User: "alice@contoso.com",
				Object: d, AllDryRun: tt.allDryRun,
			})
			assert.Equal(t, tt.wantEnforced, found(v.Enforced), "enforced")
			assert.Equal(t, tt.wantDryRun, found(v.DryRun), "dry-run")
		})
	}
}

// A pod is never judged by binding rules, whatever their mode.
func TestJudgePodIgnoresBindingRules(t *testing.T) {
	p, err := policy.Parse([]byte("rules:\n  user-subject: {mode: enforce, allowedUsers: []}\n"))
	require.NoError(t, err)
	v := judgement.Judge(p, createPod(compliantPod()))
	assert.Equal(t, judgement.Allowed, v.Decision)
	assert.Empty(t, v.Enforced)
	assert.Empty(t, v.DryRun)
}
