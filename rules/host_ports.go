package rules

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
)

/*
host-ports rejects container ports bound on the node's network: a hostPort exposes the pod on every address
of the node, outside the reach of NetworkPolicies, and ties the pod to nodes where the port is free.

Fields read:
  spec.{initContainers,containers,ephemeralContainers}[*].ports[*].hostPort
Passing values: 0, unset. The protocol and hostIP of a hostPort are read too: they say what it opens, so
that ratcheting an update tells a port opened on another address or protocol from the one it had.
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
				Identity:  ref.ownIdentity(hostPortValue(&port)),
			})
		}
	})
	return out
}

// hostPortValue is what a hostPort opens, as ratcheting compares it: the port, its protocol (TCP when
// unset, as the API defaults it) and, when set, the node address it is bound to.
func hostPortValue(p *ContainerPort) string {
	protocol := p.Protocol
	if protocol == "" {
		protocol = corev1.ProtocolTCP
	}
	value := strconv.Itoa(int(p.HostPort)) + "/" + string(protocol)
	if p.HostIP != "" {
		value += " on " + p.HostIP
	}
	return value
}
