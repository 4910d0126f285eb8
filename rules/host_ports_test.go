package rules

import "testing"

func TestHostPorts(t *testing.T) {
	runPodCases(t, "host-ports", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "container ports without hostPort",
			pod:  podWith(func(p *Pod) { p.Spec.Containers[0].Ports = []ContainerPort{{}, {HostPort: 0}} }),
		},
		{
			name: "hostPort in a regular and an init container",
			pod: podWith(func(p *Pod) {
				withInitAndEphemeral(p)
				p.Spec.Containers[0].Ports = []ContainerPort{{}, {HostPort: 8080}}
				p.Spec.InitContainers[0].Ports = []ContainerPort{{HostPort: 53}}
			}),
			want: []Violation{
				violation("host-ports", "spec.initContainers[0].ports[0].hostPort", "init"),
				violation("host-ports", "spec.containers[0].ports[1].hostPort", "app"),
			},
		},
	})
}
