package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestRunAsRoot(t *testing.T) {
	root := func(field, container string) Violation { return violation("run-as-root", field, container) }
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
			want: []Violation{root("spec.containers[0].securityContext.runAsNonRoot", "app")},
		},
		{
			name: "container true overrides pod false",
			pod:  podWith(tweaks(podNonRoot(new(false)), appNonRoot(new(true)))),
		},
		{
			name: "pod false inherited",
			pod:  podWith(podNonRoot(new(false))),
			want: []Violation{affecting(root("spec.securityContext.runAsNonRoot", ""), "app")},
		},
		{
			name: "pod false inherited by several containers is reported once",
			pod:  podWith(tweaks(podNonRoot(new(false)), withInitAndEphemeral, sidecar)),
			want: []Violation{affecting(root("spec.securityContext.runAsNonRoot", ""), "init", "app", "sidecar", "debug")},
		},
		{
			name: "pod false inherited by some, overridden badly by one: pod first, then containers",
			pod: podWith(tweaks(podNonRoot(new(false)), withInitAndEphemeral, sidecar, func(p *Pod) {
				p.Spec.Containers[0].SecurityContext.RunAsNonRoot = new(true)
				p.Spec.EphemeralContainers[0].SecurityContext.RunAsNonRoot = new(false)
			})),
			want: []Violation{
				affecting(root("spec.securityContext.runAsNonRoot", ""), "init", "sidecar"),
				root("spec.ephemeralContainers[0].securityContext.runAsNonRoot", "debug"),
			},
		},
		{
			name: "unset everywhere",
			pod:  podWith(podNonRoot(nil)),
			want: []Violation{affecting(root("spec.securityContext.runAsNonRoot", ""), "app")},
		},
		{
			name: "unset everywhere, with every kind of container, is reported once",
			pod:  podWith(tweaks(podNonRoot(nil), withInitAndEphemeral, sidecar)),
			want: []Violation{affecting(root("spec.securityContext.runAsNonRoot", ""), "init", "app", "sidecar", "debug")},
		},
		{
			name: "empty securityContexts",
			pod: podWith(func(p *Pod) {
				p.Spec.SecurityContext = &corev1.PodSecurityContext{}
				p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{}
			}),
			want: []Violation{affecting(root("spec.securityContext.runAsNonRoot", ""), "app")},
		},
		{
			name: "no securityContext anywhere",
			pod: podWith(func(p *Pod) {
				p.Spec.SecurityContext = nil
				p.Spec.Containers[0].SecurityContext = nil
			}),
			want: []Violation{affecting(root("spec.securityContext.runAsNonRoot", ""), "app")},
		},
		{
			name: "unset in some containers while others set it",
			pod: podWith(tweaks(podNonRoot(nil), withInitAndEphemeral, sidecar, func(p *Pod) {
				p.Spec.Containers[0].SecurityContext.RunAsNonRoot = new(true)
			})),
			want: []Violation{
				root("spec.initContainers[0].securityContext.runAsNonRoot", "init"),
				root("spec.containers[1].securityContext.runAsNonRoot", "sidecar"),
				root("spec.ephemeralContainers[0].securityContext.runAsNonRoot", "debug"),
			},
		},
		{
			name: "unset in one container while another sets it false",
			pod: podWith(tweaks(podNonRoot(nil), sidecar, func(p *Pod) {
				p.Spec.Containers[1].SecurityContext.RunAsNonRoot = new(false)
			})),
			want: []Violation{
				root("spec.containers[0].securityContext.runAsNonRoot", "app"),
				root("spec.containers[1].securityContext.runAsNonRoot", "sidecar"),
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
			want: []Violation{affecting(root("spec.securityContext.runAsUser", ""), "app")},
		},
		{
			name: "container runAsUser 0",
			pod:  podWith(appUser(new(int64(0)))),
			want: []Violation{root("spec.containers[0].securityContext.runAsUser", "app")},
		},
		{
			name: "container runAsUser overrides pod runAsUser 0",
			pod:  podWith(tweaks(podUser(new(int64(0))), appUser(new(int64(1000))))),
		},
		{
			name: "container runAsUser 0 overrides pod non-zero",
			pod:  podWith(tweaks(podUser(new(int64(1000))), appUser(new(int64(0))))),
			want: []Violation{root("spec.containers[0].securityContext.runAsUser", "app")},
		},
		{
			name: "init container runAsUser 0",
			pod: podWith(tweaks(withInitAndEphemeral, func(p *Pod) {
				p.Spec.InitContainers[0].SecurityContext.RunAsUser = new(int64(0))
			})),
			want: []Violation{root("spec.initContainers[0].securityContext.runAsUser", "init")},
		},
		{
			name: "both checks fail: runAsNonRoot first, then runAsUser",
			pod:  podWith(tweaks(podNonRoot(nil), podUser(new(int64(0))))),
			want: []Violation{
				affecting(root("spec.securityContext.runAsNonRoot", ""), "app"),
				affecting(root("spec.securityContext.runAsUser", ""), "app"),
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
			want: []Violation{root("spec.containers[0].securityContext.runAsUser", "app")},
		},
		{
			name: "windows pods are judged: runAsNonRoot is enforced there too",
			pod:  podWith(tweaks(windows, podNonRoot(nil))),
			want: []Violation{affecting(root("spec.securityContext.runAsNonRoot", ""), "app")},
		},

		// Paths from the object's root.
		{
			name: "deployment template",
			pod:  podWith(tweaks(inDeployment, podNonRoot(new(false)), appUser(new(int64(0))))),
			want: []Violation{
				affecting(root("spec.template.spec.securityContext.runAsNonRoot", ""), "app"),
				root("spec.template.spec.containers[0].securityContext.runAsUser", "app"),
			},
		},
		{
			name: "cronjob template",
			pod:  podWith(tweaks(inCronJob, podNonRoot(nil), sidecar, appNonRoot(new(true)))),
			want: []Violation{
				root("spec.jobTemplate.spec.template.spec.containers[1].securityContext.runAsNonRoot", "sidecar"),
			},
		},
	})
}
