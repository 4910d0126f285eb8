package rules

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

/*
apparmor-profile requires every container to run under an AppArmor profile: RuntimeDefault, or a Localhost
profile loaded on the node. AppArmor confines what a process may do to files, mounts and the network
beyond what seccomp filters.

A container's profile is, in the kubelet's order: the container's securityContext.appArmorProfile; else the
legacy annotation container.apparmor.security.beta.kubernetes.io/<container> on the pod (runtime/default,
localhost/<profile>, unconfined); else the pod's securityContext.appArmorProfile.

Fields read:
  spec.securityContext.appArmorProfile
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.appArmorProfile
  metadata.annotations[container.apparmor.security.beta.kubernetes.io/<container>]
Passing values: RuntimeDefault; Localhost with a localhostProfile. With requireProfile: false, an unset
profile passes too and only Unconfined fails (the Pod Security meaning, and the default under the baseline
and restricted profiles). Windows pods are not judged: AppArmor is Linux-only.
*/

const appArmorProfileID = "apparmor-profile"

// AppArmorAnnotationPrefix starts the legacy per-container annotation, still honoured by the kubelet.
const AppArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/"

func appArmorProfile() Rule {
	return Rule{
		ID:       appArmorProfileID,
		Doc:      "Requires every container to run under the RuntimeDefault or a Localhost AppArmor profile, set by field or legacy annotation.",
		CheckPod: checkAppArmorProfile,
		Settings: []Setting{{
			Name:        "requireProfile",
			Doc:         "false lets containers without an AppArmor profile pass and rejects only Unconfined, as the Pod Security levels do.",
			Type:        Boolean,
			DefaultBool: true,
			// The Pod Security levels refuse only Unconfined: unset leaves the runtime's default profile on.
			ProfileBool: map[Profile]bool{Baseline: false, Restricted: false},
			apply:       func(opts *Options, v bool, _ []string) { opts.RequireAppArmorProfile = v },
		}},
		Profiles: allProfiles(),
	}
}

func checkAppArmorProfile(pod *Pod, opts *Options) []Violation {
	if pod.isWindows() {
		return nil
	}
	var podProfile *corev1.AppArmorProfile
	if pod.Spec.SecurityContext != nil {
		podProfile = pod.Spec.SecurityContext.AppArmorProfile
	}
	return inheritedSetting[corev1.AppArmorProfile]{
		rule:             appArmorProfileID,
		field:            "appArmorProfile",
		pod:              podProfile,
		container:        containerAppArmorProfile,
		annotationPrefix: AppArmorAnnotationPrefix,
		problem:          appArmorProblem,
		canonical:        func(p *corev1.AppArmorProfile) string { return profileValue(string(p.Type), p.LocalhostProfile) },
		fix:              "set appArmorProfile: {type: RuntimeDefault}",
		annotationFix:    "set it to runtime/default, or remove it and set appArmorProfile: {type: RuntimeDefault}",
	}.judge(pod, opts)
}

// maxContainerName is the longest container name the API accepts (a DNS label).
const maxContainerName = 63

// containerAppArmorProfile is the container's own profile: its field, else its legacy annotation.
func containerAppArmorProfile(pod *Pod, c *Container) (*corev1.AppArmorProfile, bool) {
	if c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil {
		return c.SecurityContext.AppArmorProfile, false
	}
	if len(pod.Annotations) == 0 {
		return nil, false
	}
	// The key is built in a stack buffer and looked up as string(key), which Go does without copying: this
	// runs for every container of every pod, and most pods carry other annotations.
	var buf [len(AppArmorAnnotationPrefix) + maxContainerName]byte
	key := append(append(buf[:0], AppArmorAnnotationPrefix...), c.Name...)
	value, ok := pod.Annotations[string(key)]
	if !ok {
		return nil, false
	}
	return profileFromAnnotation(value), true
}

// The profiles of the fixed annotation values, shared because they are only read.
var (
	annotationRuntimeDefault = corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
	annotationUnconfined     = corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
)

// profileFromAnnotation reads a legacy annotation value; a value the kubelet does not know keeps its text as
// the type so that the message can quote it.
func profileFromAnnotation(value string) *corev1.AppArmorProfile {
	switch {
	case value == "runtime/default":
		return &annotationRuntimeDefault
	case value == "unconfined":
		return &annotationUnconfined
	case strings.HasPrefix(value, "localhost/"):
		name := strings.TrimPrefix(value, "localhost/")
		return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: &name}
	}
	return &corev1.AppArmorProfile{Type: corev1.AppArmorProfileType(value)}
}

func appArmorProblem(p *corev1.AppArmorProfile, opts *Options) string {
	switch {
	case p == nil:
		if opts.RequireAppArmorProfile {
			return "is not set"
		}
		return ""
	case p.Type == corev1.AppArmorProfileTypeRuntimeDefault:
		return ""
	case p.Type == corev1.AppArmorProfileTypeLocalhost:
		if p.LocalhostProfile == nil || *p.LocalhostProfile == "" {
			return "is Localhost without a localhostProfile"
		}
		return ""
	case p.Type == corev1.AppArmorProfileTypeUnconfined:
		return "is Unconfined"
	}
	return "has unknown type " + string(p.Type)
}
