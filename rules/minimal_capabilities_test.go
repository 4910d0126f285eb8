package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestMinimalCapabilities(t *testing.T) {
	drop := func(field, container, problem string) Violation {
		return Violation{Rule: "minimal-capabilities", Field: field, Container: container, Problem: problem, Fix: "set capabilities: {drop: [ALL]}"}
	}
	add := func(field, container, problem string) Violation {
		return Violation{Rule: "minimal-capabilities", Field: field, Container: container, Problem: problem, Fix: "remove them; only NET_BIND_SERVICE may be added"}
	}
	runPodCases(t, "minimal-capabilities", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "NET_BIND_SERVICE added back",
			pod:  podWith(func(p *Pod) { containerSC(p, 0).Capabilities.Add = []corev1.Capability{"NET_BIND_SERVICE"} }),
		},
		{
			name: "no securityContext",
			pod:  podWith(func(p *Pod) { p.Spec.Containers[0].SecurityContext = nil }),
			want: []Violation{drop("spec.containers[0].securityContext.capabilities.drop", "app", "is not set")},
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
				drop("spec.initContainers[0].securityContext.capabilities.drop", "init", "does not include ALL"),
				add("spec.initContainers[0].securityContext.capabilities.add", "init", `includes "CHOWN"`),
			},
		},
		{
			name: "windows pods are not judged",
			pod:  podWith(tweaks(windows, func(p *Pod) { containerSC(p, 0).Capabilities = nil })),
		},
	})
}
