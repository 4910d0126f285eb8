package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestUnsafeSysctls(t *testing.T) {
	sysctls := func(names ...string) func(p *Pod) {
		return func(p *Pod) {
			for _, n := range names {
				podSC(p).Sysctls = append(podSC(p).Sysctls, corev1.Sysctl{Name: n, Value: "1"})
			}
		}
	}
	runPodCases(t, "unsafe-sysctls", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{name: "no securityContext", pod: podWith(func(p *Pod) { p.Spec.SecurityContext = nil })},
		{name: "safe sysctls", pod: podWith(sysctls("net.ipv4.ip_local_port_range", "net.ipv4.tcp_rmem", "kernel.shm_rmid_forced"))},
		{
			name: "an unsafe sysctl among safe ones",
			pod:  podWith(tweaks(inDeployment, sysctls("net.ipv4.tcp_syncookies", "kernel.msgmax"))),
			want: []Violation{{
				Rule: "unsafe-sysctls", Field: "spec.template.spec.securityContext.sysctls[1].name",
				Problem: `is "kernel.msgmax", which is not isolated per pod`,
				Fix:     "remove it; only safe sysctls (net.ipv4.ip_local_port_range, net.ipv4.ping_group_range, ...) may be set",
			}},
		},
	})
}
