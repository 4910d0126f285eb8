package rules

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// compliantPod is the smallest pod that every pod rule accepts: one container that disallows privilege
// escalation and drops every capability, and a pod-level securityContext that the container inherits. Rule tests start from it and
// change one thing per case.
func compliantPod() Pod {
	return Pod{Spec: PodSpec{
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:    new(true),
			SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
		},
		Containers: []Container{{
			Name:            "app",
			SecurityContext: safeSecurityContext(),
		}},
	}}
}

// podWith returns compliantPod changed by tweak.
func podWith(tweak func(p *Pod)) Pod {
	p := compliantPod()
	tweak(&p)
	return p
}

// containerSC returns the securityContext of the pod's i-th regular container, creating it if needed.
func containerSC(p *Pod, i int) *corev1.SecurityContext {
	c := &p.Spec.Containers[i]
	if c.SecurityContext == nil {
		c.SecurityContext = &corev1.SecurityContext{}
	}
	return c.SecurityContext
}

// podSC returns the pod's securityContext, creating it if needed.
func podSC(p *Pod) *corev1.PodSecurityContext {
	if p.Spec.SecurityContext == nil {
		p.Spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	return p.Spec.SecurityContext
}

// safeContainer is a container that passes every per-container check on its own.
func safeContainer(name string) Container {
	return Container{Name: name, SecurityContext: safeSecurityContext()}
}

// safeSecurityContext is a container securityContext that passes every per-container check.
func safeSecurityContext() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: new(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

// withInitAndEphemeral adds an init container "init" and an ephemeral container "debug", both compliant.
func withInitAndEphemeral(p *Pod) {
	p.Spec.InitContainers = []Container{safeContainer("init")}
	p.Spec.EphemeralContainers = []Container{safeContainer("debug")}
}

// inDeployment places the pod in a Deployment's template.
func inDeployment(p *Pod) {
	p.Path = field.NewPath("spec", "template")
}

// inCronJob places the pod in a CronJob's job template.
func inCronJob(p *Pod) {
	p.Path = field.NewPath("spec", "jobTemplate", "spec", "template")
}

// windows marks the pod as a Windows pod.
func windows(p *Pod) {
	p.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
}

// tweaks applies several tweaks in order.
func tweaks(all ...func(p *Pod)) func(p *Pod) {
	return func(p *Pod) {
		for _, t := range all {
			t(p)
		}
	}
}

// podRules are the registered rules that judge pods.
func podRules() []Rule {
	var out []Rule
	for _, r := range All() {
		if r.CheckPod != nil {
			out = append(out, r)
		}
	}
	return out
}

// affecting sets the containers a pod-level violation leaves unprotected.
func affecting(v Violation, containers ...string) Violation {
	v.Affected = containers
	return v
}
