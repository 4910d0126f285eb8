package judgement

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// typicalDeployment is the pod template of an ordinary hardened Deployment: an init container, an app and a
// sidecar, with the pod-level securityContext they inherit and the usual annotations. The webhook sees pods
// like this on almost every request, so it is the pod whose cost matters.
func typicalDeployment() rules.Pod {
	hardened := func() *corev1.SecurityContext {
		return &corev1.SecurityContext{
			AllowPrivilegeEscalation: new(false),
			ReadOnlyRootFilesystem:   new(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		}
	}
	annotations := map[string]string{
		"prometheus.io/scrape":              "true",
		"prometheus.io/port":                "9090",
		"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z",
	}
	spec := rules.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:    new(true),
			RunAsUser:       new(int64(65532)),
			FSGroup:         new(int64(65532)),
			SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
		},
		InitContainers: []rules.Container{{Name: "migrate", SecurityContext: hardened()}},
		Containers: []rules.Container{
			{Name: "web", SecurityContext: hardened()},
			{Name: "log-shipper", SecurityContext: hardened()},
		},
	}
	return rules.Pod{Path: field.NewPath("spec", "template"), Annotations: annotations, Spec: spec}
}

// typicalNoncompliant is typicalDeployment as first written, before hardening: no pod-level securityContext,
// a privileged sidecar and a container that asks for root.
func typicalNoncompliant() rules.Pod {
	p := typicalDeployment()
	p.Spec.SecurityContext = nil
	for _, list := range [][]rules.Container{p.Spec.InitContainers, p.Spec.Containers} {
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
func typicalContainerLevel() rules.Pod {
	p := typicalDeployment()
	podSC := p.Spec.SecurityContext
	p.Spec.SecurityContext = nil
	p.Annotations = map[string]string{}
	for _, list := range [][]rules.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range list {
			sc := *list[i].SecurityContext
			sc.RunAsNonRoot, sc.RunAsUser, sc.SeccompProfile = podSC.RunAsNonRoot, podSC.RunAsUser, podSC.SeccompProfile
			list[i].SecurityContext = &sc
			p.Annotations["container.apparmor.security.beta.kubernetes.io/"+list[i].Name] = "runtime/default"
		}
	}
	return p
}

// typicalRestrictedDeployment is typicalDeployment with what the restricted profile's extra rules read:
// volumes, container ports and probes, all of them compliant.
func typicalRestrictedDeployment() rules.Pod {
	p := typicalDeployment()
	p.Spec.Volumes = []rules.Volume{
		{Name: "config", ConfigMap: &rules.Present{}},
		{Name: "tmp", EmptyDir: &rules.Present{}},
		{Name: "token", Projected: &rules.Present{}},
	}
	web := &p.Spec.Containers[0]
	web.Ports = []rules.ContainerPort{{}, {}}
	web.LivenessProbe = &rules.Handler{HTTPGet: &rules.HostAction{}}
	web.ReadinessProbe = &rules.Handler{TCPSocket: &rules.HostAction{}}
	web.Lifecycle = &rules.Lifecycle{PreStop: &rules.Handler{HTTPGet: &rules.HostAction{}}}
	return p
}

// benchmarkEvaluatePod measures every enabled pod rule on pod under policy p: the rules' share of
// a request, which must not allocate for a compliant pod.
func benchmarkEvaluatePod(b *testing.B, p *policy.Policy, pod rules.Pod) {
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		_ = evaluatePod(p, &pod, false, now)
	}
}

func BenchmarkPodRules(b *testing.B) {
	p := policy.Default()
	now := time.Now()
	compliant, containerLevel, noncompliant := typicalDeployment(), typicalContainerLevel(), typicalNoncompliant()
	require.Empty(b, evaluatePod(p, &compliant, false, now).Enforced)
	require.Empty(b, evaluatePod(p, &containerLevel, false, now).Enforced)
	require.NotEmpty(b, evaluatePod(p, &noncompliant, false, now).Enforced)

	b.Run("compliant", func(b *testing.B) { benchmarkEvaluatePod(b, p, compliant) })
	b.Run("compliant-container-level", func(b *testing.B) { benchmarkEvaluatePod(b, p, containerLevel) })
	b.Run("noncompliant", func(b *testing.B) { benchmarkEvaluatePod(b, p, noncompliant) })

	restricted, restrictedPod := policy.ForProfile(rules.Restricted, rules.Latest), typicalRestrictedDeployment()
	require.Empty(b, evaluatePod(restricted, &restrictedPod, false, now).Enforced)
	b.Run("restricted/compliant", func(b *testing.B) { benchmarkEvaluatePod(b, restricted, restrictedPod) })
}
