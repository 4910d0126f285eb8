package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestAddedCapabilities(t *testing.T) {
	adding := func(caps ...corev1.Capability) func(p *Pod) {
		return func(p *Pod) { containerSC(p, 0).Capabilities.Add = caps }
	}
	runPodCases(t, "added-capabilities", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{name: "no capabilities", pod: podWith(func(p *Pod) { containerSC(p, 0).Capabilities = nil })},
		{name: "capabilities of the default set", pod: podWith(adding("NET_BIND_SERVICE", "CHOWN", "SETUID"))},
		{
			name: "capabilities beyond the default set, in their order",
			pod:  podWith(adding("NET_BIND_SERVICE", "SYS_ADMIN", "NET_RAW")),
			want: []Violation{violation("added-capabilities", "spec.containers[0].securityContext.capabilities.add", "app")},
		},
		{
			name: "windows pods are judged too",
			pod:  podWith(tweaks(windows, adding("SYS_PTRACE"))),
			want: []Violation{violation("added-capabilities", "spec.containers[0].securityContext.capabilities.add", "app")},
		},
	})
}
