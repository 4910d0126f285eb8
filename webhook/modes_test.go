package webhook_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// Modes per rule and per path: enforce denies, dry-run warns, off does not judge.
func TestModes(t *testing.T) {
	web := newPod("web", compliantSpec())
	privileged := newPod("web", privilegedSpec())
	deployment := newDeployment("web", privilegedSpec())
	inPod := privilegedViolations("spec")

	tests := []handlerCase{
		{name: "dry-run path", allDryRun: true, req: review(t, admissionv1.Create, deployment, nil), want: warned(privilegedViolations("spec.template.spec")...)},
		{name: "dry-run path, compliant", allDryRun: true, req: review(t, admissionv1.Create, web, nil), want: allowed},
		{name: "global dry-run", config: "mode: dry-run\n", req: review(t, admissionv1.Create, privileged, nil), want: warned(inPod...)},
		{
			name:   "one rule dry-run, the other enforced",
			config: "rules:\n  privileged: {mode: dry-run}\n",
			req:    review(t, admissionv1.Create, privileged, nil),
			want:   denied("pods", "web", inPod[1]).withDryRun(inPod[0]),
		},
		{
			name:   "only the dry-run rule broken",
			config: "rules:\n  privileged: {mode: dry-run}\n",
			req:    review(t, admissionv1.Create, newPod("web", withPrivileged(compliantSpec())), nil),
			want:   warned(inPod[0]),
		},
		{
			name:   "rule off",
			config: "rules:\n  privileged: {mode: off}\n",
			req:    review(t, admissionv1.Create, newPod("web", withPrivileged(compliantSpec())), nil),
			want:   allowed,
		},
		{
			name:      "rule off on the dry-run path",
			config:    "rules:\n  privileged: {mode: off}\n",
			allDryRun: true,
			req:       review(t, admissionv1.Create, privileged, nil),
			want:      warned(inPod[1]),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
