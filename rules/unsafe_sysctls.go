package rules

import "strconv"

/*
unsafe-sysctls rejects pods that set kernel parameters outside the safe set: a sysctl that is not
namespaced per pod changes the whole node, and some disable security mechanisms for every workload on it.

Fields read:
  spec.securityContext.sysctls[*].name
Passing values: the sysctls of safeSysctlSince, the Pod Security baseline's safe set as it stands at the
configured Pod Security version: the set has grown over releases (v1.27, v1.29, v1.32, v1.37).
*/

const unsafeSysctlsID = "unsafe-sysctls"

func unsafeSysctls() Rule {
	return Rule{
		ID:       unsafeSysctlsID,
		Doc:      "Rejects pods that set sysctls outside the safe set, which are isolated per pod.",
		CheckPod: checkUnsafeSysctls,
		Profiles: []Profile{Baseline, Restricted},
	}
}

func checkUnsafeSysctls(pod *Pod, opts *Options) []Violation {
	sc := pod.Spec.SecurityContext
	if sc == nil {
		return nil
	}
	var out []Violation
	for i, s := range sc.Sysctls {
		if isSafeSysctl(s.Name, opts.PodSecurityVersion) {
			continue
		}
		out = append(out, Violation{
			Rule:    unsafeSysctlsID,
			Field:   pod.specPath().Child("securityContext", "sysctls").Index(i).Child("name").String(),
			Problem: "is " + strconv.Quote(s.Name) + ", which is not isolated per pod",
			Fix:     "remove it; only safe sysctls (net.ipv4.ip_local_port_range, net.ipv4.ping_group_range, ...) may be set",
			// A sysctl is set for the whole pod; its value counts too, as a different value may open more.
			Identity: pod.podIdentity(s.Name+"="+s.Value, nil),
		})
	}
	return out
}

// isSafeSysctl reports whether a sysctl is namespaced per pod and cannot affect other pods or the node, as
// the Pod Security Standards of version v say.
func isSafeSysctl(name string, v Version) bool {
	since, ok := safeSysctlSince(name)
	return ok && v.AtLeast(since)
}

// safeSysctlSince returns the Kubernetes minor version from which the Pod Security baseline level lets a
// pod set the sysctl, and false for a sysctl it never lets pods set.
func safeSysctlSince(name string) (int, bool) {
	switch name {
	case "kernel.shm_rmid_forced",
		"net.ipv4.ip_local_port_range",
		"net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.ping_group_range",
		"net.ipv4.tcp_syncookies":
		return 0, true
	case "net.ipv4.ip_local_reserved_ports":
		return 27, true
	case "net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes",
		"net.ipv4.tcp_fin_timeout":
		return 29, true
	case "net.ipv4.tcp_rmem",
		"net.ipv4.tcp_wmem":
		return 32, true
	case "net.ipv4.tcp_slow_start_after_idle",
		"net.ipv4.tcp_notsent_lowat":
		return 37, true
	}
	return 0, false
}
