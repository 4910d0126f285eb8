package rules

import "testing"

func TestHostNamespaces(t *testing.T) {
	shared := func(field, fix string) Violation {
		return Violation{Rule: "host-namespaces", Field: field, Problem: "is true", Fix: fix}
	}
	runPodCases(t, "host-namespaces", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "hostNetwork",
			pod:  podWith(func(p *Pod) { p.Spec.HostNetwork = true }),
			want: []Violation{shared("spec.hostNetwork", "set hostNetwork: false or remove it")},
		},
		{
			name: "all three, in API order, in a deployment",
			pod: podWith(tweaks(inDeployment, func(p *Pod) {
				p.Spec.HostIPC, p.Spec.HostPID, p.Spec.HostNetwork = true, true, true
			})),
			want: []Violation{
				shared("spec.template.spec.hostNetwork", "set hostNetwork: false or remove it"),
				shared("spec.template.spec.hostPID", "set hostPID: false or remove it"),
				shared("spec.template.spec.hostIPC", "set hostIPC: false or remove it"),
			},
		},
		{
			name: "windows pods are judged too",
			pod:  podWith(tweaks(windows, func(p *Pod) { p.Spec.HostPID = true })),
			want: []Violation{shared("spec.hostPID", "set hostPID: false or remove it")},
		},
	})
}
