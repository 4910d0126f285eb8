package webhook_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
)

// profileVersion decides what the levels allow: the sysctls Pod Security Admission v1.37 added are allowed
// under latest and refused under v1.36, as the reference refuses them there.
func TestProfileVersionSysctls(t *testing.T) {
	spec := compliantSpec()
	spec.SecurityContext.Sysctls = []corev1.Sysctl{
		{Name: "net.ipv4.tcp_slow_start_after_idle", Value: "0"},
		{Name: "net.ipv4.tcp_notsent_lowat", Value: "16384"},
	}
	refused := func() expect {
		return denied("pods", "web",
			found{"unsafe-sysctls", "", "spec.securityContext.sysctls[0].name"},
			found{"unsafe-sysctls", "", "spec.securityContext.sysctls[1].name"})
	}
	for _, tt := range []handlerCase{
		{name: "baseline latest", config: "profile: baseline\n", req: review(t, admissionv1.Create, newPod("web", spec), nil), want: allowed},
		{name: "baseline v1.37", config: "profile: baseline\nprofileVersion: v1.37\n", req: review(t, admissionv1.Create, newPod("web", spec), nil), want: allowed},
		{name: "baseline v1.36", config: "profile: baseline\nprofileVersion: v1.36\n", req: review(t, admissionv1.Create, newPod("web", spec), nil), want: refused()},
	} {
		t.Run(tt.name, tt.run)
	}
}

// Abuse: only the configuration file chooses the version. A tenant who labels or annotates a pod (or its
// template) with Pod Security Admission's enforce-version, or with a made-up kubeguard key, still gets the
// configured version's verdict: the pod below, which asks for no seccomp profile, passes restricted only
// at versions before v1.19, and only the configuration can pick one.
func TestProfileVersionIsNotChosenByTheRequest(t *testing.T) {
	spec := compliantSpec()
	spec.SecurityContext.SeccompProfile = nil
	spec.Containers[0].SecurityContext.Capabilities = &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}
	pinning := map[string]string{
		"pod-security.kubernetes.io/enforce":         "restricted",
		"pod-security.kubernetes.io/enforce-version": "v1.18",
		"kubeguard.io/profile-version":               "v1.18",
		"kubeguard.io/profileVersion":                "v1.18",
	}
	pod := newPod("web", spec)
	for k, v := range pinning {
		pod.Labels[k] = v
	}
	pod.Annotations = pinning
	deployment := newDeployment("web", spec)
	deployment.Labels, deployment.Annotations = pinning, pinning
	deployment.Spec.Template.Labels, deployment.Spec.Template.Annotations = pinning, pinning

	for _, tt := range []handlerCase{
		{
			name:   "a pod that asks for v1.18 is judged at latest",
			config: "profile: restricted\n",
			req:    review(t, admissionv1.Create, pod, nil),
			want:   denied("pods", "web", found{"seccomp-profile", "web", "spec.securityContext.seccompProfile"}),
		},
		{
			name:   "a deployment that asks for v1.18 is judged at the configured v1.30",
			config: "profile: restricted\nprofileVersion: v1.30\n",
			req:    review(t, admissionv1.Create, deployment, nil),
			want:   denied("deployments.apps", "web", found{"seccomp-profile", "web", "spec.template.spec.securityContext.seccompProfile"}),
		},
		{
			name:   "the configuration alone picks v1.18",
			config: "profile: restricted\nprofileVersion: v1.18\n",
			req:    review(t, admissionv1.Create, pod, nil),
			want:   allowed,
		},
	} {
		t.Run(tt.name, tt.run)
	}
}
