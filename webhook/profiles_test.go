package webhook_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
)

// Under a Pod Security profile a workload is judged when it is applied, like a Pod: a Deployment that the
// level refuses is denied with one line per offending field, where Pod Security Admission would create it
// and leave its pods unscheduled.
func TestProfilesJudgeWorkloads(t *testing.T) {
	hostNetworked := compliantSpec()
	hostNetworked.HostNetwork = true
	hostNetworked.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 8080, HostPort: 8080}}
	hardened := compliantSpec()
	hardened.Containers[0].SecurityContext.Capabilities = &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}

	const spec = "spec.template.spec"
	hostNetwork := found{"host-namespaces", "", spec + ".hostNetwork"}
	for _, tt := range []handlerCase{
		{
			name:   "baseline refuses host networking",
			config: "profile: baseline\n",
			req:    review(t, admissionv1.Create, newDeployment("web", hostNetworked), nil),
			want:   denied("deployments.apps", "web", hostNetwork, found{"host-ports", "web", spec + ".containers[0].ports[0].hostPort"}),
		},
		{
			name:   "restricted asks every container to drop ALL capabilities",
			config: "profile: restricted\n",
			req:    review(t, admissionv1.Create, newDeployment("web", compliantSpec()), nil),
			want:   denied("deployments.apps", "web", found{"minimal-capabilities", "web", spec + ".containers[0].securityContext.capabilities.drop"}),
		},
		{
			name:   "a hardened deployment passes restricted",
			config: "profile: restricted\n",
			req:    review(t, admissionv1.Create, newDeployment("web", hardened), nil),
			want:   allowed,
		},
		{
			name: "the default profile leaves the Pod Security rules off",
			req:  review(t, admissionv1.Create, newDeployment("web", hostNetworked), nil),
			want: allowed,
		},
		{
			name:   "a rule outside the profile turned on in dry-run",
			config: "rules:\n  host-namespaces: {mode: dry-run}\n",
			req:    review(t, admissionv1.Create, newDeployment("web", hostNetworked), nil),
			want:   warned(hostNetwork),
		},
	} {
		t.Run(tt.name, tt.run)
	}
}
