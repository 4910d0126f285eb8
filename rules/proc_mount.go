package rules

import corev1 "k8s.io/api/core/v1"

/*
proc-mount requires containers to keep the default /proc mount: the runtime masks and makes read-only the
parts of /proc (kernel keys, sysrq-trigger, ...) through which a container can reach the node, and
procMount: Unmasked removes those masks.

Fields read:
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.procMount
  spec.hostUsers
Passing values: Default, unset. With allowInUserNamespace (the default under the baseline profile), any value
passes for a pod in its own user namespace (spec.hostUsers: false), whose /proc is its own, as the Pod
Security baseline level allows from v1.35; the restricted level does not, nor baseline before v1.35.
*/

const procMountID = "proc-mount"

func procMount() Rule {
	return Rule{
		ID:       procMountID,
		Doc:      "Requires every container to keep the Default procMount, which masks the node's parts of /proc.",
		CheckPod: checkProcMount,
		Settings: []Setting{{
			Name:        "allowInUserNamespace",
			Doc:         "true lets pods in their own user namespace (hostUsers: false) unmask /proc, as the Pod Security baseline level does.",
			Type:        Boolean,
			ProfileBool: map[Profile]bool{Baseline: true},
			Before:      []VersionedBool{{Profile: Baseline, Before: 35, Value: false}},
			apply:       func(opts *Options, v bool, _ []string) { opts.ProcMountInUserNamespace = v },
		}},
		Profiles: []Profile{Baseline, Restricted},
	}
}

func checkProcMount(pod *Pod, opts *Options) []Violation {
	if opts.ProcMountInUserNamespace && pod.inUserNamespace() {
		return nil
	}
	var out []Violation
	pod.forEachContainer(func(ref containerRef) {
		sc := ref.c.SecurityContext
		if sc == nil || sc.ProcMount == nil || *sc.ProcMount == corev1.DefaultProcMount {
			return
		}
		out = append(out, Violation{
			Rule:      procMountID,
			Field:     ref.path(pod, "securityContext", "procMount").String(),
			Container: ref.c.Name,
			Problem:   "is " + string(*sc.ProcMount),
			Fix:       "set procMount: Default or remove it",
			Identity:  ref.ownIdentity(string(*sc.ProcMount)),
		})
	})
	return out
}
