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
			want: []Violation{violation("unsafe-sysctls", "spec.template.spec.securityContext.sysctls[1].name", "")},
		},
		{
			// The fix names the set of the configured version, not the newest: a developer told to use a
			// sysctl the version refuses would be refused again.
			name: "a sysctl safe only from a later version",
			pod:  podWith(sysctls("net.ipv4.tcp_fin_timeout")),
			opts: &Options{PodSecurityVersion: pinnedAt(t, "v1.28")},
			want: []Violation{violation("unsafe-sysctls", "spec.securityContext.sysctls[0].name", "")},
		},
	})
}

func pinnedAt(t *testing.T, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
