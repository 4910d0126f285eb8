package rules

import corev1 "k8s.io/api/core/v1"

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
			apply:       func(opts *Options, v bool, _ []string) { opts.RequireSeccompProfile = v },
		}},
		Profiles: allProfiles(),
	}
}

func checkSeccompProfile(pod *Pod, opts *Options) []Violation {
	if pod.isWindows() && opts.RequireSeccompProfile {
		return nil
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
