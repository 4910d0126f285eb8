package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// Under the restricted profile, every Pod Security rule refuses what it is for, through kubectl, on a
// Deployment the default profile admits; a pod hardened to the restricted level is created.
func TestRestrictedProfileThroughKubectl(t *testing.T) {
	restartKubeguard(t, manifestConfig(t, "profile: restricted\n"))
	t.Cleanup(func() { restartKubeguard(t, "") })
	ns := newNamespace(t, false)
	deployments := workloads[1]
	require.Equal(t, "Deployment", deployments.kind)

	spec := compliantPodSpec()
	spec.HostNetwork = true
	spec.SecurityContext.Sysctls = []corev1.Sysctl{{Name: "kernel.msgmax", Value: "65536"}}
	spec.Volumes = []corev1.Volume{{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run"}}}}
	app := &spec.Containers[0]
	app.Ports = []corev1.ContainerPort{{ContainerPort: 8080, HostPort: 8080}}
	app.SecurityContext.Capabilities = &corev1.Capabilities{Add: []corev1.Capability{"SYS_ADMIN"}}
	app.SecurityContext.SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"}
	app.LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: "169.254.169.254", Port: intstr.FromInt32(80)}}}

	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, "host-everything", deployments.build("host-everything", spec)))
	// Every rule of the profile, in the rules' order, on lines that point into the pod template.
	lines := deniedLines(t, res, deployments.resource, "host-everything")
	next := 0
	for _, rule := range []string{
		"host-namespaces", "host-path-volumes", "host-ports", "added-capabilities", "unsafe-sysctls",
		"selinux-options", "probe-host", "volume-types", "minimal-capabilities",
	} {
		at := slices.IndexFunc(lines[next:], func(l string) bool {
			return strings.Contains(l, rule) && strings.Contains(l, "spec.template.spec.")
		})
		if assert.GreaterOrEqual(t, at, 0, "no line after line %d names %s: %q", next, rule, lines) {
			next += at + 1
		}
	}
	assertStored(t, ns, deployments.resource, "host-everything", false)

	hardened := compliantPodSpec()
	hardened.Volumes = []corev1.Volume{{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	hardened.Containers[0].SecurityContext.Capabilities.Add = []corev1.Capability{"NET_BIND_SERVICE"}
	hardened.Containers[0].SecurityContext.ReadOnlyRootFilesystem = ptr.To(true)
	assertAdmitted(t, kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, "hardened", deployments.build("hardened", hardened))))
}
