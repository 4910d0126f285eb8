package rules

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
)

/*
added-capabilities rejects containers that add Linux capabilities beyond the container runtime's default
set: SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE and the like each open a known way out of the container or
into other workloads' traffic.

Fields read:
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.capabilities.add
Passing values: unset, empty, or only capabilities of baselineCapabilities (the Pod Security baseline set).
*/

const addedCapabilitiesID = "added-capabilities"

// baselineCapabilities are the capabilities container runtimes grant by default, less NET_RAW; adding them
// back grants nothing a default container would not have had.
var baselineCapabilities = []corev1.Capability{
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
	"SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

func addedCapabilities() Rule {
	return Rule{
		ID:       addedCapabilitiesID,
		Doc:      "Rejects containers that add capabilities beyond the runtime's default set, such as SYS_ADMIN or NET_RAW.",
		CheckPod: checkAddedCapabilities,
		Profiles: []Profile{Baseline, Restricted},
	}
}

func checkAddedCapabilities(pod *Pod, _ *Options) []Violation {
	var out []Violation
	pod.forEachContainer(func(ref containerRef) {
		sc := ref.c.SecurityContext
		if sc == nil || sc.Capabilities == nil {
			return
		}
		extra := capabilitiesOutside(sc.Capabilities.Add, baselineCapabilities)
		if extra == nil {
			return
		}
		out = append(out, Violation{
			Rule:      addedCapabilitiesID,
			Field:     ref.path(pod, "securityContext", "capabilities", "add").String(),
			Container: ref.c.Name,
			Problem:   "includes " + quoteNames(extra),
			Fix:       "remove them; only the runtime's default capabilities (CHOWN, NET_BIND_SERVICE, SETUID, ...) may be added",
			Identity:  ref.ownIdentity(extra...),
		})
	})
	return out
}

// capabilitiesOutside lists the capabilities of added that allowed does not hold, in their order; nil when
// there are none, without allocating.
func capabilitiesOutside(added, allowed []corev1.Capability) []string {
	var extra []string
	for _, c := range added {
		if !slices.Contains(allowed, c) {
			extra = append(extra, string(c))
		}
	}
	return extra
}
