package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestPrivileged(t *testing.T) {
	privileged := func(field, container string) Violation { return violation("privileged", field, container) }

	runPodCases(t, "privileged", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "privileged false",
			pod:  podWith(func(p *Pod) { containerSC(p, 0).Privileged = new(false) }),
		},
		{
			name: "privileged true",
			pod:  podWith(func(p *Pod) { containerSC(p, 0).Privileged = new(true) }),
			want: []Violation{privileged("spec.containers[0].securityContext.privileged", "app")},
		},
		{
			name: "no securityContext at all",
			pod:  podWith(func(p *Pod) { p.Spec.Containers[0].SecurityContext = nil }),
		},
		{
			name: "init container",
			pod: podWith(func(p *Pod) {
				withInitAndEphemeral(p)
				p.Spec.InitContainers[0].SecurityContext.Privileged = new(true)
			}),
			want: []Violation{privileged("spec.initContainers[0].securityContext.privileged", "init")},
		},
		{
			name: "ephemeral container",
			pod: podWith(func(p *Pod) {
				withInitAndEphemeral(p)
				p.Spec.EphemeralContainers[0].SecurityContext.Privileged = new(true)
			}),
			want: []Violation{privileged("spec.ephemeralContainers[0].securityContext.privileged", "debug")},
		},
		{
			name: "every kind of container, in init, regular, ephemeral order",
			pod: podWith(func(p *Pod) {
				withInitAndEphemeral(p)
				p.Spec.Containers = append(p.Spec.Containers, safeContainer("sidecar"))
				for _, c := range []*Container{&p.Spec.EphemeralContainers[0], &p.Spec.Containers[1], &p.Spec.InitContainers[0]} {
					c.SecurityContext.Privileged = new(true)
				}
			}),
			want: []Violation{
				privileged("spec.initContainers[0].securityContext.privileged", "init"),
				privileged("spec.containers[1].securityContext.privileged", "sidecar"),
				privileged("spec.ephemeralContainers[0].securityContext.privileged", "debug"),
			},
		},
		{
			name: "deployment template",
			pod:  podWith(tweaks(inDeployment, func(p *Pod) { containerSC(p, 0).Privileged = new(true) })),
			want: []Violation{privileged("spec.template.spec.containers[0].securityContext.privileged", "app")},
		},
		{
			name: "Windows HostProcess pod",
			pod: podWith(tweaks(windows, func(p *Pod) {
				podSC(p).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: new(true)}
			})),
			want: []Violation{privileged("spec.securityContext.windowsOptions.hostProcess", "")},
		},
		{
			name: "Windows HostProcess container, after its privileged flag",
			pod: podWith(tweaks(windows, func(p *Pod) {
				containerSC(p, 0).Privileged = new(true)
				containerSC(p, 0).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: new(true)}
			})),
			want: []Violation{
				privileged("spec.containers[0].securityContext.privileged", "app"),
				privileged("spec.containers[0].securityContext.windowsOptions.hostProcess", "app"),
			},
		},
		{
			name: "HostProcess false",
			pod: podWith(tweaks(windows, func(p *Pod) {
				podSC(p).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: new(false)}
				containerSC(p, 0).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: new(false)}
			})),
		},
		{
			name: "cronjob template",
			pod:  podWith(tweaks(inCronJob, func(p *Pod) { containerSC(p, 0).Privileged = new(true) })),
			want: []Violation{privileged("spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged", "app")},
		},
	})
}
