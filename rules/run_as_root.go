package rules

import "strconv"

/*
run-as-root requires every container to run as a non-root user: the effective runAsNonRoot must be true,
and the effective runAsUser must not be 0. A container's own setting overrides the pod's, as the kubelet
applies them. runAsNonRoot is required even when runAsUser is set, because it is what makes the kubelet
refuse an image whose USER is root.

Fields read:
  spec.securityContext.runAsNonRoot, spec.securityContext.runAsUser
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.runAsNonRoot
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.runAsUser
Passing values: runAsNonRoot true (at the container, or at the pod and not overridden); runAsUser unset or
non-zero. Pods in their own user namespace (spec.hostUsers: false) pass: UID 0 there is not root on the
node, and the Pod Security Standards relax both checks for them. Pod Security versions: runAsUser is judged
from v1.23 (before, runAsNonRoot alone: the kubelet refuses runAsNonRoot: true with UID 0 anyway), and the
user-namespace relaxation holds from v1.35.
*/

const runAsRootID = "run-as-root"

func runAsRoot() Rule {
	return Rule{
		ID:       runAsRootID,
		Doc:      "Requires every container to run as non-root: runAsNonRoot true and runAsUser not 0, at pod or container level.",
		CheckPod: checkRunAsRoot,
		Profiles: []Profile{AKS, Restricted},
	}
}

func checkRunAsRoot(pod *Pod, opts *Options) []Violation {
	if pod.rootRelaxed(opts) {
		return nil
	}
	var podNonRoot *bool
	var podUser *int64
	if sc := pod.Spec.SecurityContext; sc != nil {
		podNonRoot, podUser = sc.RunAsNonRoot, sc.RunAsUser
	}
	nonRoot := inheritedSetting[bool]{
		rule:      runAsRootID,
		field:     "runAsNonRoot",
		pod:       podNonRoot,
		container: containerRunAsNonRoot,
		problem:   runAsNonRootProblem,
		canonical: boolValue,
		fix:       "set runAsNonRoot: true",
	}
	user := inheritedSetting[int64]{
		rule:      runAsRootID,
		field:     "runAsUser",
		pod:       podUser,
		container: containerRunAsUser,
		problem:   runAsUserProblem,
		canonical: func(v *int64) string { return strconv.FormatInt(*v, 10) },
		fix:       "set runAsUser to a non-zero UID (for example 65532) or remove it",
	}
	out := nonRoot.judge(pod, opts)
	if opts.PodSecurityVersion.AtLeast(23) {
		out = append(out, user.judge(pod, opts)...)
	}
	return out
}

func containerRunAsNonRoot(_ *Pod, c *Container) (*bool, bool) {
	if c.SecurityContext == nil {
		return nil, false
	}
	return c.SecurityContext.RunAsNonRoot, false
}

func runAsNonRootProblem(v *bool, _ *Options) string {
	switch {
	case v == nil:
		return "is not set"
	case !*v:
		return "is false"
	}
	return ""
}

func containerRunAsUser(_ *Pod, c *Container) (*int64, bool) {
	if c.SecurityContext == nil {
		return nil, false
	}
	return c.SecurityContext.RunAsUser, false
}

// runAsUserProblem lets an unset runAsUser pass: the image's USER applies, and runAsNonRoot makes the kubelet
// refuse it when that is root.
func runAsUserProblem(v *int64, _ *Options) string {
	if v != nil && *v == 0 {
		return "is 0 (root)"
	}
	return ""
}
