package rules

import "testing"

func TestHostNamespaces(t *testing.T) {
	shared := func(field string) Violation { return violation("host-namespaces", field, "") }
	runPodCases(t, "host-namespaces", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "hostNetwork",
			pod:  podWith(func(p *Pod) { p.Spec.HostNetwork = true }),
			want: []Violation{shared("spec.hostNetwork")},
		},
		{
			name: "all three, in API order, in a deployment",
			pod: podWith(tweaks(inDeployment, func(p *Pod) {
				p.Spec.HostIPC, p.Spec.HostPID, p.Spec.HostNetwork = true, true, true
			})),
			want: []Violation{
				shared("spec.template.spec.hostNetwork"),
				shared("spec.template.spec.hostPID"),
				shared("spec.template.spec.hostIPC"),
			},
		},
		{
			name: "windows pods are judged too",
			pod:  podWith(tweaks(windows, func(p *Pod) { p.Spec.HostPID = true })),
			want: []Violation{shared("spec.hostPID")},
		},
	})
}
