package rules

/*
privilege-escalation requires every container to set allowPrivilegeEscalation to false. Unset counts as
true: the container runtime lets a process gain more privileges than its parent (setuid binaries, file
capabilities) unless no_new_privs is set, and only an explicit false sets it.

Fields read:
  spec.initContainers[*].securityContext.allowPrivilegeEscalation
  spec.containers[*].securityContext.allowPrivilegeEscalation
  spec.ephemeralContainers[*].securityContext.allowPrivilegeEscalation
Passing values: false. Windows pods (spec.os.name: windows) are not judged: the field is Linux-only.
Pod Security versions: the restricted level has the check from v1.8 (when the field was added), and
exempts Windows pods from v1.25.
*/

const privilegeEscalationID = "privilege-escalation"

func privilegeEscalation() Rule {
	return Rule{
		ID:       privilegeEscalationID,
		Doc:      "Requires every container to set securityContext.allowPrivilegeEscalation to false.",
		CheckPod: checkPrivilegeEscalation,
		Profiles: []Profile{AKS, Restricted},
		Since:    map[Profile]int{Restricted: 8},
	}
}

func checkPrivilegeEscalation(pod *Pod, opts *Options) []Violation {
	if pod.windowsExempt(opts) {
		return nil
	}
	var out []Violation
	pod.forEachContainer(func(ref containerRef) {
		sc := ref.c.SecurityContext
		var allow *bool
		if sc != nil {
			allow = sc.AllowPrivilegeEscalation
		}
		if allow != nil && !*allow {
			return
		}
		problem := "is not set (the runtime default is true)"
		if sc != nil && sc.AllowPrivilegeEscalation != nil {
			problem = "is true"
		}
		out = append(out, Violation{
			Rule:      privilegeEscalationID,
			Field:     ref.path(pod, "securityContext", "allowPrivilegeEscalation").String(),
			Container: ref.c.Name,
			Problem:   problem,
			Fix:       "set allowPrivilegeEscalation: false",
			Identity:  ref.ownIdentity(boolValue(allow)),
		})
	})
	return out
}
