package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestRunAsRoot(t *testing.T) {
	const (
		nonRootFix = "set runAsNonRoot: true"
		userFix    = "set runAsUser to a non-zero UID (for example 65532) or remove it"
	)
	nonRoot := func(field, container, problem string) Violation {
		return Violation{Rule: "run-as-root", Field: field, Container: container, Problem: problem, Fix: nonRootFix}
	}
	user := func(field, container, problem string) Violation {
		return Violation{Rule: "run-as-root", Field: field, Container: container, Problem: problem, Fix: userFix}
	}
	podNonRoot := func(v *bool) func(p *Pod) { return func(p *Pod) { podSC(p).RunAsNonRoot = v } }
	podUser := func(v *int64) func(p *Pod) { return func(p *Pod) { podSC(p).RunAsUser = v } }
	appNonRoot := func(v *bool) func(p *Pod) { return func(p *Pod) { containerSC(p, 0).RunAsNonRoot = v } }
	appUser := func(v *int64) func(p *Pod) { return func(p *Pod) { containerSC(p, 0).RunAsUser = v } }
	sidecar := func(p *Pod) { p.Spec.Containers = append(p.Spec.Containers, safeContainer("sidecar")) }

	runPodCases(t, "run-as-root", []podCase{
		{name: "compliant pod", pod: compliantPod()},

		// runAsNonRoot: the container's value overrides the pod's, both ways.
		{
			name: "runAsNonRoot set only on the container",
			pod:  podWith(tweaks(podNonRoot(nil), appNonRoot(new(true)))),
		},
		{
			name: "container false overrides pod true",
			pod:  podWith(appNonRoot(new(false))),
			want: []Violation{nonRoot("spec.containers[0].securityContext.runAsNonRoot", "app", "is false")},
		},
		{
			name: "container true overrides pod false",
			pod:  podWith(tweaks(podNonRoot(new(false)), appNonRoot(new(true)))),
		},
		{
			name: "pod false inherited",
			pod:  podWith(podNonRoot(new(false))),
			want: []Violation{affecting(nonRoot("spec.securityContext.runAsNonRoot", "", `is false, inherited by container "app"`), "app")},
		},
		{
			name: "pod false inherited by several containers is reported once",
			pod:  podWith(tweaks(podNonRoot(new(false)), withInitAndEphemeral, sidecar)),
			want: []Violation{affecting(nonRoot("spec.securityContext.runAsNonRoot", "", `is false, inherited by containers "init", "app", "sidecar", "debug"`), "init", "app", "sidecar", "debug")},
		},
		{
			name: "pod false inherited by some, overridden badly by one: pod first, then containers",
			pod: podWith(tweaks(podNonRoot(new(false)), withInitAndEphemeral, sidecar, func(p *Pod) {
				p.Spec.Containers[0].SecurityContext.RunAsNonRoot = new(true)
				p.Spec.EphemeralContainers[0].SecurityContext.RunAsNonRoot = new(false)
			})),
			want: []Violation{
				affecting(nonRoot("spec.securityContext.runAsNonRoot", "", `is false, inherited by containers "init", "sidecar"`), "init", "sidecar"),
				nonRoot("spec.ephemeralContainers[0].securityContext.runAsNonRoot", "debug", "is false"),
			},
		},
		{
			name: "unset everywhere",
			pod:  podWith(podNonRoot(nil)),
			want: []Violation{affecting(nonRoot("spec.securityContext.runAsNonRoot", "", `is not set for the pod or container "app"`), "app")},
		},
		{
			name: "unset everywhere, with every kind of container, is reported once",
			pod:  podWith(tweaks(podNonRoot(nil), withInitAndEphemeral, sidecar)),
			want: []Violation{affecting(nonRoot("spec.securityContext.runAsNonRoot", "", `is not set for the pod or containers "init", "app", "sidecar", "debug"`), "init", "app", "sidecar", "debug")},
		},
		{
			name: "empty securityContexts",
			pod: podWith(func(p *Pod) {
				p.Spec.SecurityContext = &corev1.PodSecurityContext{}
				p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{}
			}),
			want: []Violation{affecting(nonRoot("spec.securityContext.runAsNonRoot", "", `is not set for the pod or container "app"`), "app")},
		},
		{
			name: "no securityContext anywhere",
			pod: podWith(func(p *Pod) {
				p.Spec.SecurityContext = nil
				p.Spec.Containers[0].SecurityContext = nil
			}),
			want: []Violation{affecting(nonRoot("spec.securityContext.runAsNonRoot", "", `is not set for the pod or container "app"`), "app")},
		},
		{
			name: "unset in some containers while others set it",
			pod: podWith(tweaks(podNonRoot(nil), withInitAndEphemeral, sidecar, func(p *Pod) {
				p.Spec.Containers[0].SecurityContext.RunAsNonRoot = new(true)
			})),
			want: []Violation{
				nonRoot("spec.initContainers[0].securityContext.runAsNonRoot", "init", "is not set here or for the pod"),
				nonRoot("spec.containers[1].securityContext.runAsNonRoot", "sidecar", "is not set here or for the pod"),
				nonRoot("spec.ephemeralContainers[0].securityContext.runAsNonRoot", "debug", "is not set here or for the pod"),
			},
		},
		{
			name: "unset in one container while another sets it false",
			pod: podWith(tweaks(podNonRoot(nil), sidecar, func(p *Pod) {
				p.Spec.Containers[1].SecurityContext.RunAsNonRoot = new(false)
			})),
			want: []Violation{
				nonRoot("spec.containers[0].securityContext.runAsNonRoot", "app", "is not set here or for the pod"),
				nonRoot("spec.containers[1].securityContext.runAsNonRoot", "sidecar", "is false"),
			},
		},

		// runAsUser: unset passes (runAsNonRoot guards the image's USER); 0 fails wherever it takes effect.
		{
			name: "non-zero runAsUser",
			pod:  podWith(tweaks(podUser(new(int64(1000))), appUser(new(int64(65532))))),
		},
		{
			name: "pod runAsUser 0 inherited",
			pod:  podWith(podUser(new(int64(0)))),
			want: []Violation{affecting(user("spec.securityContext.runAsUser", "", `is 0 (root), inherited by container "app"`), "app")},
		},
		{
			name: "container runAsUser 0",
			pod:  podWith(appUser(new(int64(0)))),
			want: []Violation{user("spec.containers[0].securityContext.runAsUser", "app", "is 0 (root)")},
		},
		{
			name: "container runAsUser overrides pod runAsUser 0",
			pod:  podWith(tweaks(podUser(new(int64(0))), appUser(new(int64(1000))))),
		},
		{
			name: "container runAsUser 0 overrides pod non-zero",
			pod:  podWith(tweaks(podUser(new(int64(1000))), appUser(new(int64(0))))),
			want: []Violation{user("spec.containers[0].securityContext.runAsUser", "app", "is 0 (root)")},
		},
		{
			name: "init container runAsUser 0",
			pod: podWith(tweaks(withInitAndEphemeral, func(p *Pod) {
				p.Spec.InitContainers[0].SecurityContext.RunAsUser = new(int64(0))
			})),
			want: []Violation{user("spec.initContainers[0].securityContext.runAsUser", "init", "is 0 (root)")},
		},
		{
			name: "both checks fail: runAsNonRoot first, then runAsUser",
			pod:  podWith(tweaks(podNonRoot(nil), podUser(new(int64(0))))),
			want: []Violation{
				affecting(nonRoot("spec.securityContext.runAsNonRoot", "", `is not set for the pod or container "app"`), "app"),
				affecting(user("spec.securityContext.runAsUser", "", `is 0 (root), inherited by container "app"`), "app"),
			},
		},

		// User namespaces: UID 0 in the pod is not root on the node.
		{
			name: "hostUsers false allows root",
			pod: podWith(tweaks(podNonRoot(new(false)), podUser(new(int64(0))), appUser(new(int64(0))), func(p *Pod) {
				p.Spec.HostUsers = new(false)
			})),
		},
		{
			name: "hostUsers true is judged",
			pod:  podWith(tweaks(appUser(new(int64(0))), func(p *Pod) { p.Spec.HostUsers = new(true) })),
			want: []Violation{user("spec.containers[0].securityContext.runAsUser", "app", "is 0 (root)")},
		},
		{
			name: "windows pods are judged: runAsNonRoot is enforced there too",
			pod:  podWith(tweaks(windows, podNonRoot(nil))),
			want: []Violation{affecting(nonRoot("spec.securityContext.runAsNonRoot", "", `is not set for the pod or container "app"`), "app")},
		},

		// Paths from the object's root.
		{
			name: "deployment template",
			pod:  podWith(tweaks(inDeployment, podNonRoot(new(false)), appUser(new(int64(0))))),
			want: []Violation{
				affecting(nonRoot("spec.template.spec.securityContext.runAsNonRoot", "", `is false, inherited by container "app"`), "app"),
				user("spec.template.spec.containers[0].securityContext.runAsUser", "app", "is 0 (root)"),
			},
		},
		{
			name: "cronjob template",
			pod:  podWith(tweaks(inCronJob, podNonRoot(nil), sidecar, appNonRoot(new(true)))),
			want: []Violation{
				nonRoot("spec.jobTemplate.spec.template.spec.containers[1].securityContext.runAsNonRoot", "sidecar", "is not set here or for the pod"),
			},
		},
	})
}
