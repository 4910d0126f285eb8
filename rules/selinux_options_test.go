package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestSELinuxOptions(t *testing.T) {
	runPodCases(t, "selinux-options", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "container types and a level",
			pod: podWith(func(p *Pod) {
				podSC(p).SELinuxOptions = &corev1.SELinuxOptions{Type: "container_init_t", Level: "s0:c123,c456"}
				containerSC(p, 0).SELinuxOptions = &corev1.SELinuxOptions{Type: "container_engine_t"}
			}),
		},
		{
			name: "pod-level type, then a container's user and role",
			pod: podWith(func(p *Pod) {
				podSC(p).SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"}
				containerSC(p, 0).SELinuxOptions = &corev1.SELinuxOptions{User: "system_u", Role: "system_r"}
			}),
			want: []Violation{
				violation("selinux-options", "spec.securityContext.seLinuxOptions.type", ""),
				violation("selinux-options", "spec.containers[0].securityContext.seLinuxOptions.user", "app"),
				violation("selinux-options", "spec.containers[0].securityContext.seLinuxOptions.role", "app"),
			},
		},
	})
}
