package rules

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestAppArmorProfile(t *testing.T) {
	const appKey = "container.apparmor.security.beta.kubernetes.io/app"
	apparmor := func(field, container string) Violation { return violation("apparmor-profile", field, container) }
	profile := func(typ corev1.AppArmorProfileType, localhost *string) *corev1.AppArmorProfile {
		return &corev1.AppArmorProfile{Type: typ, LocalhostProfile: localhost}
	}
	onPod := func(p *corev1.AppArmorProfile) func(*Pod) { return func(pod *Pod) { podSC(pod).AppArmorProfile = p } }
	onApp := func(p *corev1.AppArmorProfile) func(*Pod) {
		return func(pod *Pod) { containerSC(pod, 0).AppArmorProfile = p }
	}
	annotate := func(key, value string) func(*Pod) {
		return func(p *Pod) {
			if p.Annotations == nil {
				p.Annotations = map[string]string{}
			}
			p.Annotations[key] = value
		}
	}
	sidecar := func(p *Pod) { p.Spec.Containers = append(p.Spec.Containers, safeContainer("sidecar")) }
	optional := &Options{RequireAppArmorProfile: false}

	runPodCases(t, "apparmor-profile", []podCase{
		{name: "compliant pod", pod: compliantPod()},

		// Fields, with the container overriding the pod both ways.
		{
			name: "pod Localhost with a profile",
			pod:  podWith(onPod(profile(corev1.AppArmorProfileTypeLocalhost, new("k8s-apparmor-example-deny-write")))),
		},
		{
			name: "pod Unconfined inherited",
			pod:  podWith(onPod(profile(corev1.AppArmorProfileTypeUnconfined, nil))),
			want: []Violation{affecting(apparmor("spec.securityContext.appArmorProfile", ""), "app")},
		},
		{
			name: "container Unconfined overrides pod RuntimeDefault",
			pod:  podWith(onApp(profile(corev1.AppArmorProfileTypeUnconfined, nil))),
			want: []Violation{apparmor("spec.containers[0].securityContext.appArmorProfile", "app")},
		},
		{
			name: "container RuntimeDefault overrides pod Unconfined",
			pod: podWith(tweaks(
				onPod(profile(corev1.AppArmorProfileTypeUnconfined, nil)),
				onApp(profile(corev1.AppArmorProfileTypeRuntimeDefault, nil)),
			)),
		},
		{
			name: "container Localhost without a profile",
			pod:  podWith(onApp(profile(corev1.AppArmorProfileTypeLocalhost, nil))),
			want: []Violation{apparmor("spec.containers[0].securityContext.appArmorProfile", "app")},
		},
		{
			name: "unknown type",
			pod:  podWith(onApp(profile("Complain", nil))),
			want: []Violation{apparmor("spec.containers[0].securityContext.appArmorProfile", "app")},
		},
		{
			name: "unset everywhere",
			pod:  podWith(tweaks(onPod(nil), withInitAndEphemeral)),
			want: []Violation{affecting(apparmor("spec.securityContext.appArmorProfile", ""), "init", "app", "debug")},
		},
		{
			name: "unset in some containers while others set it",
			pod:  podWith(tweaks(onPod(nil), sidecar, onApp(profile(corev1.AppArmorProfileTypeRuntimeDefault, nil)))),
			want: []Violation{apparmor("spec.containers[1].securityContext.appArmorProfile", "sidecar")},
		},
		{
			name: "init and ephemeral containers: pod first, then init, regular, ephemeral",
			pod: podWith(tweaks(onPod(profile(corev1.AppArmorProfileTypeUnconfined, nil)), withInitAndEphemeral, func(p *Pod) {
				p.Spec.InitContainers[0].SecurityContext.AppArmorProfile = profile(corev1.AppArmorProfileTypeUnconfined, nil)
				p.Spec.EphemeralContainers[0].SecurityContext.AppArmorProfile = profile(corev1.AppArmorProfileTypeLocalhost, new(""))
			})),
			want: []Violation{
				affecting(apparmor("spec.securityContext.appArmorProfile", ""), "app"),
				apparmor("spec.initContainers[0].securityContext.appArmorProfile", "init"),
				apparmor("spec.ephemeralContainers[0].securityContext.appArmorProfile", "debug"),
			},
		},

		// Legacy annotations: between the container's field and the pod's field.
		{
			name: "annotation runtime/default with nothing else set",
			pod:  podWith(tweaks(onPod(nil), annotate(appKey, "runtime/default"))),
		},
		{
			name: "annotation localhost profile",
			pod:  podWith(tweaks(onPod(nil), annotate(appKey, "localhost/k8s-apparmor-example-deny-write"))),
		},
		{
			name: "annotation localhost without a profile name",
			pod:  podWith(tweaks(onPod(nil), annotate(appKey, "localhost/"))),
			want: []Violation{apparmor("metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]", "app")},
		},
		{
			name: "annotation unconfined overrides pod RuntimeDefault",
			pod:  podWith(annotate(appKey, "unconfined")),
			want: []Violation{apparmor("metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]", "app")},
		},
		{
			name: "annotation runtime/default overrides pod Unconfined",
			pod:  podWith(tweaks(onPod(profile(corev1.AppArmorProfileTypeUnconfined, nil)), annotate(appKey, "runtime/default"))),
		},
		{
			name: "container field overrides annotation unconfined",
			pod:  podWith(tweaks(annotate(appKey, "unconfined"), onApp(profile(corev1.AppArmorProfileTypeRuntimeDefault, nil)))),
		},
		{
			name: "container field Unconfined overrides annotation runtime/default",
			pod:  podWith(tweaks(annotate(appKey, "runtime/default"), onApp(profile(corev1.AppArmorProfileTypeUnconfined, nil)))),
			want: []Violation{apparmor("spec.containers[0].securityContext.appArmorProfile", "app")},
		},
		{
			name: "annotation value the kubelet does not know",
			pod:  podWith(annotate(appKey, "complain")),
			want: []Violation{apparmor("metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]", "app")},
		},
		{
			name: "annotation for another container does not apply",
			pod:  podWith(tweaks(onPod(nil), annotate("container.apparmor.security.beta.kubernetes.io/other", "runtime/default"))),
			want: []Violation{affecting(apparmor("spec.securityContext.appArmorProfile", ""), "app")},
		},
		{
			name: "unrelated annotations do not apply",
			pod:  podWith(tweaks(onPod(nil), annotate("apparmor.security.beta.kubernetes.io/app", "unconfined"), annotate("prometheus.io/scrape", "true"))),
			want: []Violation{affecting(apparmor("spec.securityContext.appArmorProfile", ""), "app")},
		},
		{
			name: "annotations on init and ephemeral containers",
			pod: podWith(tweaks(withInitAndEphemeral,
				annotate("container.apparmor.security.beta.kubernetes.io/init", "unconfined"),
				annotate("container.apparmor.security.beta.kubernetes.io/debug", "unconfined"),
			)),
			want: []Violation{
				apparmor("metadata.annotations[container.apparmor.security.beta.kubernetes.io/init]", "init"),
				apparmor("metadata.annotations[container.apparmor.security.beta.kubernetes.io/debug]", "debug"),
			},
		},
		{
			// The API caps names at 63 characters; offline checks may see longer ones and must still read them.
			name: "annotation for a name longer than the API allows",
			pod: podWith(tweaks(onPod(nil), func(p *Pod) { p.Spec.Containers[0].Name = strings.Repeat("x", 100) },
				annotate("container.apparmor.security.beta.kubernetes.io/"+strings.Repeat("x", 100), "unconfined"))),
			want: []Violation{apparmor("metadata.annotations[container.apparmor.security.beta.kubernetes.io/"+strings.Repeat("x", 100)+"]", strings.Repeat("x", 100))},
		},
		{
			name: "annotation sets one container, the other has nothing",
			pod:  podWith(tweaks(onPod(nil), sidecar, annotate(appKey, "runtime/default"))),
			want: []Violation{apparmor("spec.containers[1].securityContext.appArmorProfile", "sidecar")},
		},

		// requireProfile: false only rejects Unconfined (and malformed profiles).
		{
			name: "optional: unset everywhere passes",
			pod:  podWith(onPod(nil)),
			opts: optional,
		},
		{
			name: "optional: unset in some containers passes",
			pod:  podWith(tweaks(onPod(nil), sidecar, onApp(profile(corev1.AppArmorProfileTypeRuntimeDefault, nil)))),
			opts: optional,
		},
		{
			name: "optional: pod Unconfined still fails",
			pod:  podWith(onPod(profile(corev1.AppArmorProfileTypeUnconfined, nil))),
			opts: optional,
			want: []Violation{affecting(apparmor("spec.securityContext.appArmorProfile", ""), "app")},
		},
		{
			name: "optional: annotation unconfined still fails",
			pod:  podWith(tweaks(onPod(nil), annotate(appKey, "unconfined"))),
			opts: optional,
			want: []Violation{apparmor("metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]", "app")},
		},
		{
			name: "optional: Localhost without a profile still fails",
			pod:  podWith(onApp(profile(corev1.AppArmorProfileTypeLocalhost, nil))),
			opts: optional,
			want: []Violation{apparmor("spec.containers[0].securityContext.appArmorProfile", "app")},
		},

		{
			name: "windows pod is not judged",
			pod:  podWith(tweaks(windows, onPod(profile(corev1.AppArmorProfileTypeUnconfined, nil)), annotate(appKey, "unconfined"))),
		},
		{
			name: "deployment template: fields",
			pod:  podWith(tweaks(inDeployment, onPod(nil))),
			want: []Violation{affecting(apparmor("spec.template.spec.securityContext.appArmorProfile", ""), "app")},
		},
		{
			name: "deployment template: annotation",
			pod:  podWith(tweaks(inDeployment, annotate(appKey, "unconfined"))),
			want: []Violation{apparmor("spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]", "app")},
		},
		{
			name: "cronjob template: annotation",
			pod:  podWith(tweaks(inCronJob, annotate(appKey, "unconfined"))),
			want: []Violation{apparmor("spec.jobTemplate.spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]", "app")},
		},
	})
}
