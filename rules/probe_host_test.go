package rules

import "testing"

func TestProbeHost(t *testing.T) {
	at := func(host string) *HostAction { return &HostAction{Host: host} }
	runPodCases(t, "probe-host", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "probes and hooks without a host",
			pod: podWith(func(p *Pod) {
				c := &p.Spec.Containers[0]
				c.LivenessProbe = &Handler{HTTPGet: at("")}
				c.Lifecycle = &Lifecycle{PreStop: &Handler{TCPSocket: at("")}}
			}),
		},
		{
			name: "every probe and hook, in field order",
			pod: podWith(func(p *Pod) {
				c := &p.Spec.Containers[0]
				c.LivenessProbe = &Handler{HTTPGet: at("169.254.169.254"), TCPSocket: at("10.0.0.1")}
				c.ReadinessProbe = &Handler{HTTPGet: at("a")}
				c.StartupProbe = &Handler{TCPSocket: at("b")}
				c.Lifecycle = &Lifecycle{PostStart: &Handler{HTTPGet: at("c")}, PreStop: &Handler{TCPSocket: at("d")}}
			}),
			want: []Violation{
				violation("probe-host", "spec.containers[0].livenessProbe.httpGet.host", "app"),
				violation("probe-host", "spec.containers[0].livenessProbe.tcpSocket.host", "app"),
				violation("probe-host", "spec.containers[0].readinessProbe.httpGet.host", "app"),
				violation("probe-host", "spec.containers[0].startupProbe.tcpSocket.host", "app"),
				violation("probe-host", "spec.containers[0].lifecycle.postStart.httpGet.host", "app"),
				violation("probe-host", "spec.containers[0].lifecycle.preStop.tcpSocket.host", "app"),
			},
		},
	})
}
