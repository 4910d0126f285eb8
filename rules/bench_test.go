package rules

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// typicalDeployment is the pod template of an ordinary hardened Deployment: an init container, an app and a
// sidecar, with the pod-level securityContext they inherit and the usual annotations. The webhook sees pods
// like this on almost every request, so it is the pod whose cost matters.
func typicalDeployment() Pod {
	hardened := func() *corev1.SecurityContext {
		return &corev1.SecurityContext{
			AllowPrivilegeEscalation: new(false),
			ReadOnlyRootFilesystem:   new(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		}
	}
	meta := metav1.ObjectMeta{Annotations: map[string]string{
		"prometheus.io/scrape":              "true",
		"prometheus.io/port":                "9090",
		"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z",
	}}
	spec := corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:    new(true),
			RunAsUser:       new(int64(65532)),
			FSGroup:         new(int64(65532)),
			SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
		},
		InitContainers: []corev1.Container{{Name: "migrate", Image: "example.com/web:1.0", SecurityContext: hardened()}},
		Containers: []corev1.Container{
			{Name: "web", Image: "example.com/web:1.0", SecurityContext: hardened()},
			{Name: "log-shipper", Image: "example.com/shipper:2.3", SecurityContext: hardened()},
		},
	}
	return PodFromCore(field.NewPath("spec", "template"), &meta, &spec)
}

// typicalNoncompliant is typicalDeployment as first written, before hardening: no pod-level securityContext,
// a privileged sidecar and a container that asks for root.
func typicalNoncompliant() Pod {
	p := typicalDeployment()
	p.Spec.SecurityContext = nil
	for _, list := range [][]Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range list {
			list[i].SecurityContext = nil
		}
	}
	p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{RunAsUser: new(int64(0))}
	p.Spec.Containers[1].SecurityContext = &corev1.SecurityContext{Privileged: new(true)}
	return p
}

// typicalContainerLevel is typicalDeployment with every setting moved into the containers, and AppArmor given
// by the legacy annotations, as older charts write it.
func typicalContainerLevel() Pod {
	p := typicalDeployment()
	podSC := p.Spec.SecurityContext
	p.Spec.SecurityContext = nil
	p.Annotations = map[string]string{}
	for _, list := range [][]Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range list {
			sc := *list[i].SecurityContext
			sc.RunAsNonRoot, sc.RunAsUser, sc.SeccompProfile = podSC.RunAsNonRoot, podSC.RunAsUser, podSC.SeccompProfile
			list[i].SecurityContext = &sc
			p.Annotations[appArmorAnnotationPrefix+list[i].Name] = "runtime/default"
		}
	}
	return p
}

func benchmarkPodRules(b *testing.B, pod Pod) {
	opts := DefaultOptions()
	var checks []func(*Pod, *Options) []Violation
	for _, r := range All() {
		if r.CheckPod != nil {
			checks = append(checks, r.CheckPod)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, check := range checks {
			_ = check(&pod, &opts)
		}
	}
}

func BenchmarkPodRules(b *testing.B) {
	compliant, containerLevel, noncompliant := typicalDeployment(), typicalContainerLevel(), typicalNoncompliant()
	require.Empty(b, checkAll(&compliant, new(DefaultOptions())))
	require.Empty(b, checkAll(&containerLevel, new(DefaultOptions())))
	require.NotEmpty(b, checkAll(&noncompliant, new(DefaultOptions())))

	b.Run("compliant", func(b *testing.B) { benchmarkPodRules(b, compliant) })
	b.Run("compliant-container-level", func(b *testing.B) { benchmarkPodRules(b, containerLevel) })
	b.Run("noncompliant", func(b *testing.B) { benchmarkPodRules(b, noncompliant) })
}
