package e2e

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// A Windows HostProcess pod, valid for the API server, is Windows' privileged mode: refused at the pod and
// at the container level.
func TestWindowsHostProcessIsDenied(t *testing.T) {
	ns := newNamespace(t, false)
	hostProcess := &corev1.WindowsSecurityContextOptions{HostProcess: ptr.To(true), RunAsUserName: ptr.To(`NT AUTHORITY\SYSTEM`)}
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "node-agent"},
		Spec: corev1.PodSpec{
			OS:              &corev1.PodOS{Name: corev1.Windows},
			HostNetwork:     true,
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), WindowsOptions: hostProcess},
			Containers: []corev1.Container{{
				Name:            "agent",
				Image:           "mcr.microsoft.com/windows/nanoserver:ltsc2022",
				SecurityContext: &corev1.SecurityContext{WindowsOptions: &corev1.WindowsSecurityContextOptions{HostProcess: ptr.To(true)}},
			}},
		},
	}

	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, "node-agent", pod))

	assertViolationLines(t, deniedLines(t, res, "pods", "node-agent"), []violation{
		{rule: "privileged", field: "spec.securityContext.windowsOptions.hostProcess"},
		{rule: "privileged", field: "spec.containers[0].securityContext.windowsOptions.hostProcess"},
	})
	assertStored(t, ns, "pods", "node-agent", false)
}
