package rules

import "strconv"

/*
host-ports rejects container ports bound on the node's network: a hostPort exposes the pod on every address
of the node, outside the reach of NetworkPolicies, and ties the pod to nodes where the port is free.

Fields read:
  spec.{initContainers,containers,ephemeralContainers}[*].ports[*].hostPort
Passing values: 0, unset.
*/

const hostPortsID = "host-ports"

func hostPorts() Rule {
	return Rule{
		ID:       hostPortsID,
		Doc:      "Rejects container ports that set hostPort, which binds the port on the node itself.",
		CheckPod: checkHostPorts,
		Profiles: []Profile{Baseline, Restricted},
	}
}

func checkHostPorts(pod *Pod, _ *Options) []Violation {
	var out []Violation
	pod.forEachContainer(func(ref containerRef) {
		for i, port := range ref.c.Ports {
			if port.HostPort == 0 {
				continue
			}
			out = append(out, Violation{
				Rule:      hostPortsID,
				Field:     ref.path(pod, "ports").Index(i).Child("hostPort").String(),
				Container: ref.c.Name,
				Problem:   "is " + strconv.Itoa(int(port.HostPort)),
				Fix:       "remove hostPort and reach the pod through a Service",
			})
		}
	})
	return out
}
