package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestPrivilegeEscalation(t *testing.T) {
	escalation := func(field, container string) Violation {
		return violation("privilege-escalation", field, container)
	}
	allowEscalation := func(v *bool) func(p *Pod) {
		return func(p *Pod) { containerSC(p, 0).AllowPrivilegeEscalation = v }
	}

	runPodCases(t, "privilege-escalation", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "true",
			pod:  podWith(allowEscalation(new(true))),
			want: []Violation{escalation("spec.containers[0].securityContext.allowPrivilegeEscalation", "app")},
		},
		{
			name: "unset in a securityContext",
			pod:  podWith(allowEscalation(nil)),
			want: []Violation{escalation("spec.containers[0].securityContext.allowPrivilegeEscalation", "app")},
		},
		{
			name: "no securityContext",
			pod:  podWith(func(p *Pod) { p.Spec.Containers[0].SecurityContext = nil }),
			want: []Violation{escalation("spec.containers[0].securityContext.allowPrivilegeEscalation", "app")},
		},
		{
			name: "init and ephemeral containers, in init, regular, ephemeral order",
			pod: podWith(func(p *Pod) {
				withInitAndEphemeral(p)
				p.Spec.InitContainers[0].SecurityContext = nil
				p.Spec.EphemeralContainers[0].SecurityContext.AllowPrivilegeEscalation = new(true)
				p.Spec.Containers = append(p.Spec.Containers, Container{Name: "sidecar"})
			}),
			want: []Violation{
				escalation("spec.initContainers[0].securityContext.allowPrivilegeEscalation", "init"),
				escalation("spec.containers[1].securityContext.allowPrivilegeEscalation", "sidecar"),
				escalation("spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation", "debug"),
			},
		},
		{
			name: "windows pod is not judged",
			pod:  podWith(tweaks(windows, allowEscalation(new(true)))),
		},
		{
			name: "linux pod named explicitly is judged",
			pod: podWith(tweaks(allowEscalation(nil), func(p *Pod) {
				p.Spec.OS = &corev1.PodOS{Name: corev1.Linux}
			})),
			want: []Violation{escalation("spec.containers[0].securityContext.allowPrivilegeEscalation", "app")},
		},
		{
			name: "deployment template",
			pod:  podWith(tweaks(inDeployment, allowEscalation(nil))),
			want: []Violation{escalation("spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", "app")},
		},
		{
			name: "cronjob template",
			pod:  podWith(tweaks(inCronJob, allowEscalation(new(true)))),
			want: []Violation{escalation("spec.jobTemplate.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", "app")},
		},
	})
}
