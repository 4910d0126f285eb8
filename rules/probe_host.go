package rules

import "strconv"

/*
probe-host rejects probes and lifecycle hooks that connect to a host other than the pod: the kubelet makes
those requests from the node, so a host field turns a pod spec into a way to reach whatever the node can
reach (the cloud metadata endpoint, services bound to the node's localhost).

Fields read:
  spec.{initContainers,containers,ephemeralContainers}[*].{livenessProbe,readinessProbe,startupProbe}.{httpGet,tcpSocket}.host
  spec.{initContainers,containers,ephemeralContainers}[*].lifecycle.{postStart,preStop}.{httpGet,tcpSocket}.host
Passing values: unset, empty (the pod's own IP). Pod Security versions: the levels have the check from
v1.34.
*/

const probeHostID = "probe-host"

func probeHost() Rule {
	return Rule{
		ID:       probeHostID,
		Doc:      "Rejects probes and lifecycle hooks whose httpGet or tcpSocket sets a host, which the kubelet would connect to from the node.",
		CheckPod: checkProbeHost,
		Profiles: []Profile{Baseline, Restricted},
		Since:    map[Profile]int{Baseline: 34, Restricted: 34},
	}
}

func checkProbeHost(pod *Pod, _ *Options) []Violation {
	var out []Violation
	pod.forEachContainer(func(ref containerRef) {
		c := ref.c
		out = judgeHandlerHost(out, pod, ref, c.LivenessProbe, "livenessProbe", "")
		out = judgeHandlerHost(out, pod, ref, c.ReadinessProbe, "readinessProbe", "")
		out = judgeHandlerHost(out, pod, ref, c.StartupProbe, "startupProbe", "")
		if c.Lifecycle != nil {
			out = judgeHandlerHost(out, pod, ref, c.Lifecycle.PostStart, "lifecycle", "postStart")
			out = judgeHandlerHost(out, pod, ref, c.Lifecycle.PreStop, "lifecycle", "preStop")
		}
	})
	return out
}

// judgeHandlerHost appends a violation for each action of h that sets a host. h sits at the container's
// field name, or at name.hook for a lifecycle hook.
func judgeHandlerHost(out []Violation, pod *Pod, ref containerRef, h *Handler, name, hook string) []Violation {
	if h == nil {
		return out
	}
	actions := [...]struct {
		action *HostAction
		name   string
	}{{h.HTTPGet, "httpGet"}, {h.TCPSocket, "tcpSocket"}}
	for _, a := range actions {
		if a.action == nil || a.action.Host == "" {
			continue
		}
		path := ref.path(pod, name)
		if hook != "" {
			path = path.Child(hook)
		}
		out = append(out, Violation{
			Rule:      probeHostID,
			Field:     path.Child(a.name, "host").String(),
			Container: ref.c.Name,
			Problem:   "is " + strconv.Quote(a.action.Host),
			Fix:       "remove host, so that the kubelet connects to the pod's own IP",
			Identity:  ref.ownIdentity(a.action.Host),
		})
	}
	return out
}
