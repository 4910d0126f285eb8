package rules

import "testing"

func TestProbeHost(t *testing.T) {
	const fix = "remove host, so that the kubelet connects to the pod's own IP"
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
				{Rule: "probe-host", Field: "spec.containers[0].livenessProbe.httpGet.host", Container: "app", Problem: `is "169.254.169.254"`, Fix: fix},
				{Rule: "probe-host", Field: "spec.containers[0].livenessProbe.tcpSocket.host", Container: "app", Problem: `is "10.0.0.1"`, Fix: fix},
				{Rule: "probe-host", Field: "spec.containers[0].readinessProbe.httpGet.host", Container: "app", Problem: `is "a"`, Fix: fix},
				{Rule: "probe-host", Field: "spec.containers[0].startupProbe.tcpSocket.host", Container: "app", Problem: `is "b"`, Fix: fix},
				{Rule: "probe-host", Field: "spec.containers[0].lifecycle.postStart.httpGet.host", Container: "app", Problem: `is "c"`, Fix: fix},
				{Rule: "probe-host", Field: "spec.containers[0].lifecycle.preStop.tcpSocket.host", Container: "app", Problem: `is "d"`, Fix: fix},
			},
		},
	})
}
