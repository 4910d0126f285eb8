package webhook_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
)

// kubectl debug: only the ephemeral container being added is judged.
func TestEphemeralContainers(t *testing.T) {
	privileged := newPod("web", privilegedSpec())

	// kubectl debug adds an ephemeral container to a running pod, whose own containers break rules.
	debugged := func(sc *corev1.SecurityContext) *corev1.Pod {
		pod := newPod("web", privilegedSpec())
		pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{
			EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger", Image: "busybox:1.37", SecurityContext: sc},
			TargetContainerName:      "web",
		}}
		return pod
	}

	tests := []handlerCase{
		{
			name: "privileged ephemeral container",
			req:  review(t, admissionv1.Update, debugged(&corev1.SecurityContext{Privileged: new(true), AllowPrivilegeEscalation: new(false)}), privileged, subResource("ephemeralcontainers")),
			want: denied("pods", "web", found{"privileged", "debugger", "spec.ephemeralContainers[0].securityContext.privileged"}),
		},
		{
			name: "compliant ephemeral container next to an earlier non-compliant one",
			req: review(t, admissionv1.Update,
				withEphemeral(debugged(&corev1.SecurityContext{Privileged: new(true)}), "debugger-2", &corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}),
				debugged(&corev1.SecurityContext{Privileged: new(true)}),
				subResource("ephemeralcontainers")),
			want: allowed,
		},
		{
			name: "second ephemeral container, non-compliant",
			req: review(t, admissionv1.Update,
				withEphemeral(debugged(&corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}), "debugger-2", &corev1.SecurityContext{RunAsUser: new(int64(0)), AllowPrivilegeEscalation: new(false)}),
				debugged(&corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}),
				subResource("ephemeralcontainers")),
			want: denied("pods", "web", found{"run-as-root", "debugger-2", "spec.ephemeralContainers[1].securityContext.runAsUser"}),
		},
		{
			name: "compliant ephemeral container in a non-compliant pod",
			req:  review(t, admissionv1.Update, debugged(&corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}), privileged, subResource("ephemeralcontainers")),
			want: allowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
