package rules

import (
	"strconv"
	"strings"
)

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
			Problem: "is " + strconv.Quote(s.Name) + ", which is not in the safe set of Pod Security version " + opts.PodSecurityVersion.Describe(),
			Fix:     "remove it; the safe sysctls are " + safeSysctlsAt(opts.PodSecurityVersion),
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

// safeSysctls lists the sysctls the Pod Security baseline level lets a pod set, each with the Kubernetes
// minor version from which it does, in the order the standards list them.
var safeSysctls = []struct {
	name  string
	since int
}{
	{"kernel.shm_rmid_forced", 0},
	{"net.ipv4.ip_local_port_range", 0},
	{"net.ipv4.ip_unprivileged_port_start", 0},
	{"net.ipv4.ping_group_range", 0},
	{"net.ipv4.tcp_syncookies", 0},
	{"net.ipv4.ip_local_reserved_ports", 27},
	{"net.ipv4.tcp_keepalive_time", 29},
	{"net.ipv4.tcp_keepalive_intvl", 29},
	{"net.ipv4.tcp_keepalive_probes", 29},
	{"net.ipv4.tcp_fin_timeout", 29},
	{"net.ipv4.tcp_rmem", 32},
	{"net.ipv4.tcp_wmem", 32},
	{"net.ipv4.tcp_slow_start_after_idle", 37},
	{"net.ipv4.tcp_notsent_lowat", 37},
}

// safeSysctlSince returns the Kubernetes minor version from which the Pod Security baseline level lets a
// pod set the sysctl, and false for a sysctl it never lets pods set.
func safeSysctlSince(name string) (int, bool) {
	for _, s := range safeSysctls {
		if s.name == name {
			return s.since, true
		}
	}
	return 0, false
}

// safeSysctlsAt names the sysctls a pod may set at Pod Security version v, for a fix a developer can act on
// without looking the set up.
func safeSysctlsAt(v Version) string {
	names := make([]string, 0, len(safeSysctls))
	for _, s := range safeSysctls {
		if v.AtLeast(s.since) {
			names = append(names, s.name)
		}
	}
	return strings.Join(names, ", ")
}
