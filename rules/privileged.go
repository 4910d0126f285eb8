package rules

/*
privileged rejects privileged containers: a privileged container has every capability and all host devices,
so a compromise of it is a compromise of the node.

Fields read:
  spec.initContainers[*].securityContext.privileged
  spec.containers[*].securityContext.privileged
  spec.ephemeralContainers[*].securityContext.privileged
Passing values: false, unset.
*/

const privilegedID = "privileged"

func privileged() Rule {
	return Rule{
		ID:       privilegedID,
		Doc:      "Rejects containers that set securityContext.privileged to true.",
		CheckPod: checkPrivileged,
	}
}

func checkPrivileged(pod *Pod, _ *Options) []Violation {
	var out []Violation
	pod.forEachContainer(func(ref containerRef) {
		sc := ref.c.SecurityContext
		if sc != nil && sc.Privileged != nil && *sc.Privileged {
			out = append(out, Violation{
				Rule:      privilegedID,
				Field:     ref.path(pod, "securityContext", "privileged").String(),
				Container: ref.c.Name,
				Problem:   "is true",
				Fix:       "set privileged: false or remove it",
			})
		}
	})
	return out
}
