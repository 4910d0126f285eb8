package rules

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

/*
seccomp-profile requires every container to run under a seccomp profile that filters system calls:
RuntimeDefault, or Localhost with a localhostProfile. Without one, or with Unconfined, a container may call
any system call the kernel offers, including those behind most container escapes. A container's own
profile overrides the pod's.

Fields read:
  spec.securityContext.seccompProfile
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.seccompProfile
Passing values: type RuntimeDefault; type Localhost with localhostProfile set. Windows pods are not judged:
seccomp is Linux-only. With requireProfile: false (the default under the baseline profile), an unset profile
passes too and only an explicit Unconfined fails, on every OS, as the Pod Security baseline level says.

Pod Security versions: Windows pods are exempt from v1.25. Before v1.19 seccomp was set by the alpha
annotations, and the levels judged only those: with requireProfile: false (the default under both levels
before v1.19) the rule then reads
  metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]
  metadata.annotations[container.seccomp.security.alpha.kubernetes.io/<container>]
and passes runtime/default, docker/default, localhost/<profile> or no annotation, and ignores the fields.
*/

const seccompProfileID = "seccomp-profile"

func seccompProfile() Rule {
	return Rule{
		ID:       seccompProfileID,
		Doc:      "Requires every container to run under the RuntimeDefault or a Localhost seccomp profile, at pod or container level.",
		CheckPod: checkSeccompProfile,
		Settings: []Setting{{
			Name:        "requireProfile",
			Doc:         "false lets containers without a seccomp profile pass and rejects only Unconfined, as the Pod Security baseline level does.",
			Type:        Boolean,
			DefaultBool: true,
			ProfileBool: map[Profile]bool{Baseline: false},
			// The restricted level requires a profile from v1.19, when seccompProfile became a field.
			Before: []VersionedBool{{Profile: Restricted, Before: 19, Value: false}},
			apply:  func(opts *Options, v bool, _ []string) { opts.RequireSeccompProfile = v },
		}},
		Profiles: allProfiles(),
	}
}

// Seccomp annotations, which the Pod Security Standards judged before v1.19.
const (
	SeccompPodAnnotation             = "seccomp.security.alpha.kubernetes.io/pod"
	SeccompContainerAnnotationPrefix = "container.seccomp.security.alpha.kubernetes.io/"
)

func checkSeccompProfile(pod *Pod, opts *Options) []Violation {
	if pod.windowsExempt(opts) && opts.RequireSeccompProfile {
		return nil
	}
	if !opts.RequireSeccompProfile && !opts.PodSecurityVersion.AtLeast(19) {
		return checkSeccompAnnotations(pod)
	}
	var podProfile *corev1.SeccompProfile
	if pod.Spec.SecurityContext != nil {
		podProfile = pod.Spec.SecurityContext.SeccompProfile
	}
	return inheritedSetting[corev1.SeccompProfile]{
		rule:      seccompProfileID,
		field:     "seccompProfile",
		pod:       podProfile,
		container: containerSeccompProfile,
		problem:   seccompProblem,
		canonical: func(p *corev1.SeccompProfile) string { return profileValue(string(p.Type), p.LocalhostProfile) },
		fix:       "set seccompProfile: {type: RuntimeDefault}",
	}.judge(pod, opts)
}

func containerSeccompProfile(_ *Pod, c *Container) (*corev1.SeccompProfile, bool) {
	if c.SecurityContext == nil {
		return nil, false
	}
	return c.SecurityContext.SeccompProfile, false
}

func seccompProblem(p *corev1.SeccompProfile, opts *Options) string {
	switch {
	case p == nil:
		if opts.RequireSeccompProfile {
			return "is not set"
		}
		return ""
	case p.Type == corev1.SeccompProfileTypeRuntimeDefault:
		return ""
	case p.Type == corev1.SeccompProfileTypeLocalhost:
		if p.LocalhostProfile == nil || *p.LocalhostProfile == "" {
			return "is Localhost without a localhostProfile"
		}
		return ""
	case p.Type == corev1.SeccompProfileTypeUnconfined:
		return "is Unconfined"
	}
	return "has unknown type " + string(p.Type)
}

// checkSeccompAnnotations judges the seccomp annotations as the Pod Security baseline level did before
// v1.19: the pod's annotation reaches every container, a container's annotation its container.
func checkSeccompAnnotations(pod *Pod) []Violation {
	if len(pod.Annotations) == 0 {
		return nil
	}
	var out []Violation
	if value, ok := pod.Annotations[SeccompPodAnnotation]; ok && !safeSeccompAnnotation(value) {
		id := pod.podIdentity(value, nil)
		id.Setting = "securityContext.seccompProfile"
		v := Violation{
			Rule:     seccompProfileID,
			Field:    pod.annotationPath(SeccompPodAnnotation).String(),
			Problem:  "is " + strconv.Quote(value),
			Fix:      seccompAnnotationFix,
			Identity: id,
		}
		// A pod without containers leaves none unprotected (its one reach names no container).
		if pod.containerCount() > 0 {
			v.Affected = pod.containerNames()
		}
		out = append(out, v)
	}
	pod.forEachContainer(func(ref containerRef) {
		key := SeccompContainerAnnotationPrefix + ref.c.Name
		value, ok := pod.Annotations[key]
		if !ok || safeSeccompAnnotation(value) {
			return
		}
		id := ref.ownIdentity(value)
		id.Setting = "securityContext.seccompProfile"
		out = append(out, Violation{
			Rule:      seccompProfileID,
			Field:     pod.annotationPath(key).String(),
			Container: ref.c.Name,
			Problem:   "is " + strconv.Quote(value),
			Fix:       seccompAnnotationFix,
			Identity:  id,
		})
	})
	return out
}

const seccompAnnotationFix = "set it to runtime/default, or remove it and set seccompProfile: {type: RuntimeDefault}"

// safeSeccompAnnotation reports whether a seccomp annotation's value filters system calls.
func safeSeccompAnnotation(value string) bool {
	return value == "runtime/default" || value == "docker/default" || strings.HasPrefix(value, "localhost/")
}
