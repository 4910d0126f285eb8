package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestMinimalCapabilities(t *testing.T) {
	minimal := func(field, container string) Violation { return violation("minimal-capabilities", field, container) }
	runPodCases(t, "minimal-capabilities", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "NET_BIND_SERVICE added back",
			pod:  podWith(func(p *Pod) { containerSC(p, 0).Capabilities.Add = []corev1.Capability{"NET_BIND_SERVICE"} }),
		},
		{
			name: "no securityContext",
			pod:  podWith(func(p *Pod) { p.Spec.Containers[0].SecurityContext = nil }),
			want: []Violation{minimal("spec.containers[0].securityContext.capabilities.drop", "app")},
		},
		{
			name: "drop without ALL, and other capabilities added",
			pod: podWith(func(p *Pod) {
				withInitAndEphemeral(p)
				p.Spec.InitContainers[0].SecurityContext.Capabilities = &corev1.Capabilities{
					Drop: []corev1.Capability{"NET_RAW"},
					Add:  []corev1.Capability{"NET_BIND_SERVICE", "CHOWN"},
				}
			}),
			want: []Violation{
				minimal("spec.initContainers[0].securityContext.capabilities.drop", "init"),
				minimal("spec.initContainers[0].securityContext.capabilities.add", "init"),
			},
		},
		{
			name: "windows pods are not judged",
			pod:  podWith(tweaks(windows, func(p *Pod) { containerSC(p, 0).Capabilities = nil })),
		},
	})
}
