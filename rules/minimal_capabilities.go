package rules

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
)

/*
minimal-capabilities requires every container to drop all Linux capabilities and add back at most
NET_BIND_SERVICE: what a process in the container may do as root is then no more than an ordinary user may,
besides binding a port below 1024.

Fields read:
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.capabilities.drop
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.capabilities.add
Passing values: drop includes ALL; add unset, empty or only NET_BIND_SERVICE. Windows pods are not judged:
capabilities are Linux-only. Pod Security versions: the restricted level has the check from v1.22 (before,
only added-capabilities' baseline set), and exempts Windows pods from v1.25.
*/

const minimalCapabilitiesID = "minimal-capabilities"

// restrictedCapabilities are the only capabilities a container may add back after dropping ALL.
var restrictedCapabilities = []corev1.Capability{"NET_BIND_SERVICE"}

func minimalCapabilities() Rule {
	return Rule{
		ID:       minimalCapabilitiesID,
		Doc:      "Requires every container to drop ALL capabilities and add back at most NET_BIND_SERVICE.",
		CheckPod: checkMinimalCapabilities,
		Profiles: []Profile{Restricted},
		Since:    map[Profile]int{Restricted: 22},
	}
}

func checkMinimalCapabilities(pod *Pod, opts *Options) []Violation {
	if pod.windowsExempt(opts) {
		return nil
	}
	var out []Violation
	pod.forEachContainer(func(ref containerRef) {
		var caps *corev1.Capabilities
		if sc := ref.c.SecurityContext; sc != nil {
			caps = sc.Capabilities
		}
		if caps == nil || !slices.Contains(caps.Drop, "ALL") {
			problem := "does not include ALL"
			if caps == nil || caps.Drop == nil {
				problem = "is not set"
			}
			out = append(out, Violation{
				Rule:      minimalCapabilitiesID,
				Field:     ref.path(pod, "securityContext", "capabilities", "drop").String(),
				Container: ref.c.Name,
				Problem:   problem,
				Fix:       "set capabilities: {drop: [ALL]}",
				Identity:  ref.ownIdentity(dropValue(caps)...),
			})
		}
		if caps == nil {
			return
		}
		if extra := capabilitiesOutside(caps.Add, restrictedCapabilities); extra != nil {
			out = append(out, Violation{
				Rule:      minimalCapabilitiesID,
				Field:     ref.path(pod, "securityContext", "capabilities", "add").String(),
				Container: ref.c.Name,
				Problem:   "includes " + quoteNames(extra),
				Fix:       "remove them; only NET_BIND_SERVICE may be added",
				Identity:  ref.ownIdentity(extra...),
			})
		}
	})
	return out
}

// dropValue is what a container that does not drop ALL keeps, as ratcheting compares it: that it does not
// drop ALL, and each of the runtime's default capabilities it does not drop either. Dropping one more is
// then no change, and dropping one fewer is.
func dropValue(caps *corev1.Capabilities) []string {
	var drop []corev1.Capability
	if caps != nil {
		drop = caps.Drop
	}
	values := []string{"ALL not dropped"}
	for _, c := range append([]corev1.Capability{"NET_RAW"}, baselineCapabilities...) {
		if !slices.Contains(drop, c) {
			values = append(values, string(c))
		}
	}
	return values
}
