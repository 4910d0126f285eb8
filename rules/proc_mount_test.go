package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestProcMount(t *testing.T) {
	unmasked := func(p *Pod) { containerSC(p, 0).ProcMount = new(corev1.UnmaskedProcMount) }
	userNamespace := func(p *Pod) { p.Spec.HostUsers = new(false) }
	unmaskedApp := violation("proc-mount", "spec.containers[0].securityContext.procMount", "app")
	baseline := OptionsFor(Baseline, Latest)
	runPodCases(t, "proc-mount", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{name: "Default", pod: podWith(func(p *Pod) { containerSC(p, 0).ProcMount = new(corev1.DefaultProcMount) })},
		{name: "Unmasked", pod: podWith(unmasked), want: []Violation{unmaskedApp}},
		{name: "Unmasked in a user namespace, strictly", pod: podWith(tweaks(userNamespace, unmasked)), want: []Violation{unmaskedApp}},
		{name: "Unmasked in a user namespace, under baseline", pod: podWith(tweaks(userNamespace, unmasked)), opts: &baseline},
		{name: "Unmasked with host users, under baseline", pod: podWith(unmasked), opts: &baseline, want: []Violation{unmaskedApp}},
	})
}
