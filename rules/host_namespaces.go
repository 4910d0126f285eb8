package rules

/*
host-namespaces rejects pods that share the node's namespaces. With the host's network a pod can bind the
node's ports and reach services listening on localhost; with its PID namespace it can see and signal every
process on the node; with its IPC namespace it can read other processes' shared memory.

Fields read:
  spec.hostNetwork, spec.hostPID, spec.hostIPC
Passing values: false, unset.
*/

const hostNamespacesID = "host-namespaces"

func hostNamespaces() Rule {
	return Rule{
		ID:       hostNamespacesID,
		Doc:      "Rejects pods that share the node's network, process or IPC namespace (hostNetwork, hostPID, hostIPC).",
		CheckPod: checkHostNamespaces,
		Profiles: []Profile{Baseline, Restricted},
	}
}

func checkHostNamespaces(pod *Pod, _ *Options) []Violation {
	namespaces := [...]struct {
		shared bool
		field  string
	}{
		{pod.Spec.HostNetwork, "hostNetwork"},
		{pod.Spec.HostPID, "hostPID"},
		{pod.Spec.HostIPC, "hostIPC"},
	}
	var out []Violation
	for _, ns := range namespaces {
		if ns.shared {
			out = append(out, Violation{
				Rule:    hostNamespacesID,
				Field:   pod.specPath().Child(ns.field).String(),
				Problem: "is true",
				Fix:     "set " + ns.field + ": false or remove it",
				// Every container of the pod shares the node's namespace.
				Identity: pod.podIdentity("true", nil),
			})
		}
	}
	return out
}
