package rules

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestProcMount(t *testing.T) {
	unmasked := func(p *Pod) { containerSC(p, 0).ProcMount = new(corev1.UnmaskedProcMount) }
	userNamespace := func(p *Pod) { p.Spec.HostUsers = new(false) }
	violation := Violation{
		Rule: "proc-mount", Field: "spec.containers[0].securityContext.procMount", Container: "app",
		Problem: "is Unmasked", Fix: "set procMount: Default or remove it",
	}
	baseline := OptionsFor(Baseline, Latest)
	runPodCases(t, "proc-mount", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{name: "Default", pod: podWith(func(p *Pod) { containerSC(p, 0).ProcMount = new(corev1.DefaultProcMount) })},
		{name: "Unmasked", pod: podWith(unmasked), want: []Violation{violation}},
		{name: "Unmasked in a user namespace, strictly", pod: podWith(tweaks(userNamespace, unmasked)), want: []Violation{violation}},
		{name: "Unmasked in a user namespace, under baseline", pod: podWith(tweaks(userNamespace, unmasked)), opts: &baseline},
		{name: "Unmasked with host users, under baseline", pod: podWith(unmasked), opts: &baseline, want: []Violation{violation}},
	})
}
