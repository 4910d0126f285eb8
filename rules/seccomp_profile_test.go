package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestSeccompProfile(t *testing.T) {
	seccomp := func(field, container string) Violation { return violation("seccomp-profile", field, container) }
	profile := func(typ corev1.SeccompProfileType, localhost *string) *corev1.SeccompProfile {
		return &corev1.SeccompProfile{Type: typ, LocalhostProfile: localhost}
	}
	onPod := func(p *corev1.SeccompProfile) func(*Pod) { return func(pod *Pod) { podSC(pod).SeccompProfile = p } }
	onApp := func(p *corev1.SeccompProfile) func(*Pod) {
		return func(pod *Pod) { containerSC(pod, 0).SeccompProfile = p }
	}
	sidecar := func(p *Pod) { p.Spec.Containers = append(p.Spec.Containers, safeContainer("sidecar")) }

	optional := DefaultOptions()
	optional.RequireSeccompProfile = false
	v118 := OptionsFor(Baseline, Version{pinned: true, minor: 18})
	runPodCases(t, "seccomp-profile", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "pod Localhost with a profile",
			pod:  podWith(onPod(profile(corev1.SeccompProfileTypeLocalhost, new("profiles/app.json")))),
		},
		{
			name: "pod Localhost without a profile",
			pod:  podWith(onPod(profile(corev1.SeccompProfileTypeLocalhost, nil))),
			want: []Violation{affecting(seccomp("spec.securityContext.seccompProfile", ""), "app")},
		},
		{
			name: "container Localhost with an empty profile",
			pod:  podWith(onApp(profile(corev1.SeccompProfileTypeLocalhost, new("")))),
			want: []Violation{seccomp("spec.containers[0].securityContext.seccompProfile", "app")},
		},
		{
			name: "pod Unconfined inherited",
			pod:  podWith(onPod(profile(corev1.SeccompProfileTypeUnconfined, nil))),
			want: []Violation{affecting(seccomp("spec.securityContext.seccompProfile", ""), "app")},
		},
		{
			name: "container Unconfined overrides pod RuntimeDefault",
			pod:  podWith(onApp(profile(corev1.SeccompProfileTypeUnconfined, nil))),
			want: []Violation{seccomp("spec.containers[0].securityContext.seccompProfile", "app")},
		},
		{
			name: "container RuntimeDefault overrides pod Unconfined",
			pod: podWith(tweaks(
				onPod(profile(corev1.SeccompProfileTypeUnconfined, nil)),
				onApp(profile(corev1.SeccompProfileTypeRuntimeDefault, nil)),
			)),
		},
		{
			name: "set only on the container",
			pod:  podWith(tweaks(onPod(nil), onApp(profile(corev1.SeccompProfileTypeRuntimeDefault, nil)))),
		},
		{
			name: "unset everywhere",
			pod:  podWith(tweaks(onPod(nil), withInitAndEphemeral)),
			want: []Violation{affecting(seccomp("spec.securityContext.seccompProfile", ""), "init", "app", "debug")},
		},
		{
			name: "unset in some containers while others set it",
			pod:  podWith(tweaks(onPod(nil), sidecar, onApp(profile(corev1.SeccompProfileTypeRuntimeDefault, nil)))),
			want: []Violation{seccomp("spec.containers[1].securityContext.seccompProfile", "sidecar")},
		},
		{
			name: "unknown type",
			pod:  podWith(onApp(profile("Permissive", nil))),
			want: []Violation{seccomp("spec.containers[0].securityContext.seccompProfile", "app")},
		},
		{
			name: "init and ephemeral containers: pod first, then init, regular, ephemeral",
			pod: podWith(tweaks(onPod(profile(corev1.SeccompProfileTypeUnconfined, nil)), withInitAndEphemeral, func(p *Pod) {
				p.Spec.InitContainers[0].SecurityContext.SeccompProfile = profile(corev1.SeccompProfileTypeLocalhost, nil)
				p.Spec.EphemeralContainers[0].SecurityContext.SeccompProfile = profile(corev1.SeccompProfileTypeUnconfined, nil)
			})),
			want: []Violation{
				affecting(seccomp("spec.securityContext.seccompProfile", ""), "app"),
				seccomp("spec.initContainers[0].securityContext.seccompProfile", "init"),
				seccomp("spec.ephemeralContainers[0].securityContext.seccompProfile", "debug"),
			},
		},
		{
			name: "windows pod is not judged",
			pod:  podWith(tweaks(windows, onPod(nil))),
		},
		{
			name: "deployment template",
			pod:  podWith(tweaks(inDeployment, onPod(nil))),
			want: []Violation{affecting(seccomp("spec.template.spec.securityContext.seccompProfile", ""), "app")},
		},
		{
			name: "cronjob template",
			pod:  podWith(tweaks(inCronJob, onApp(profile(corev1.SeccompProfileTypeUnconfined, nil)))),
			want: []Violation{seccomp("spec.jobTemplate.spec.template.spec.containers[0].securityContext.seccompProfile", "app")},
		},
		{
			name: "unset, without requireProfile",
			pod:  podWith(onPod(nil)),
			opts: &optional,
		},
		{
			name: "Unconfined, without requireProfile",
			pod:  podWith(onApp(profile(corev1.SeccompProfileTypeUnconfined, nil))),
			opts: &optional,
			want: []Violation{seccomp("spec.containers[0].securityContext.seccompProfile", "app")},
		},
		{
			name: "Unconfined on a windows pod, without requireProfile",
			pod:  podWith(tweaks(windows, onPod(profile(corev1.SeccompProfileTypeUnconfined, nil)))),
			opts: &optional,
			want: []Violation{affecting(seccomp("spec.securityContext.seccompProfile", ""), "app")},
		},

		// Before v1.19 the seccomp annotations are judged as fields are: the pod's reaches every container, a
		// container's its own, at the annotation's path.
		{name: "v1.18: safe annotations", opts: &v118, pod: podWith(func(p *Pod) {
			p.Annotations = map[string]string{
				SeccompPodAnnotation:                     "runtime/default",
				SeccompContainerAnnotationPrefix + "app": "localhost/profile.json",
			}
		})},
		{name: "v1.18: docker/default", opts: &v118, pod: podWith(func(p *Pod) {
			p.Annotations = map[string]string{SeccompPodAnnotation: "docker/default"}
		})},
		{
			name: "v1.18: pod and container annotations unconfined", opts: &v118,
			pod: podWith(tweaks(inDeployment, func(p *Pod) {
				p.Annotations = map[string]string{
					SeccompPodAnnotation:                      "unconfined",
					SeccompContainerAnnotationPrefix + "app":  "unconfined",
					SeccompContainerAnnotationPrefix + "gone": "unconfined",
				}
			})),
			want: []Violation{
				affecting(seccomp("spec.template.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]", ""), "app"),
				seccomp("spec.template.metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]", "app"),
			},
		},
	})
}
