package webhook_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func newBudget(name string, minAvailable, maxUnavailable *intstr.IntOrString) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: objectMeta(name),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: minAvailable, MaxUnavailable: maxUnavailable,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
		},
	}
}

// PodDisruptionBudgets: judged on their budget, through the same transport, modes and ratcheting.
func TestDisruptionBudgets(t *testing.T) {
	zero, one, all := intstr.FromInt32(0), intstr.FromInt32(1), intstr.FromString("100%")
	maxUnavailable := found{"pdb-allows-disruption", "", "spec.maxUnavailable"}
	tests := []handlerCase{
		{
			name: "maxUnavailable 0",
			req:  review(t, admissionv1.Create, newBudget("web", nil, &zero), nil),
			want: denied("poddisruptionbudgets.policy", "web", maxUnavailable),
		},
		{
			name: "minAvailable 100%",
			req:  review(t, admissionv1.Create, newBudget("web", &all, nil), nil),
			want: denied("poddisruptionbudgets.policy", "web", found{"pdb-allows-disruption", "", "spec.minAvailable"}),
		},
		{name: "maxUnavailable 1", req: review(t, admissionv1.Create, newBudget("web", nil, &one), nil), want: allowed},
		{name: "minAvailable 1", req: review(t, admissionv1.Create, newBudget("web", &one, nil), nil), want: allowed},
		{
			name:      "dry-run path",
			allDryRun: true,
			req:       review(t, admissionv1.Create, newBudget("web", nil, &zero), nil),
			want:      warned(maxUnavailable),
		},
		{
			name:   "rule off",
			config: "rules:\n  pdb-allows-disruption: {mode: off}\n",
			req:    review(t, admissionv1.Create, newBudget("web", nil, &zero), nil),
			want:   allowed,
		},
		{
			name: "the disruption controller's status update",
			req:  review(t, admissionv1.Update, newBudget("web", nil, &zero), newBudget("web", nil, &zero), subResource("status")),
			want: allowed,
		},
		{
			name: "update of an existing budget's labels",
			req: review(t, admissionv1.Update, func() *policyv1.PodDisruptionBudget {
				b := newBudget("web", nil, &zero)
				b.Labels = map[string]string{"team": "shop"}
				return b
			}(), newBudget("web", nil, &zero)),
			want: allowed,
		},
		{
			name: "update that makes a budget block",
			req:  review(t, admissionv1.Update, newBudget("web", nil, &zero), newBudget("web", nil, &one)),
			want: denied("poddisruptionbudgets.policy", "web", maxUnavailable),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
