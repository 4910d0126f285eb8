package webhook_test

import (
	"slices"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// Updating an object: judged only when something the rules read changed.
func TestUpdates(t *testing.T) {
	deployment := newDeployment("web", privilegedSpec())
	inDeployment := privilegedViolations("spec.template.spec")
	runAsRoot := found{"run-as-root", "web", "spec.template.spec.containers[0].securityContext.runAsUser"}

	relabelled := newDeployment("web", privilegedSpec())
	relabelled.Labels["team"] = "payments"
	relabelled.Annotations = map[string]string{"kubeguard.io/reviewed-by": "security"}
	relabelled.Spec.Replicas = new(int32(5))
	relabelled.Finalizers = []string{"example.com/cleanup"}

	restarted := newDeployment("web", privilegedSpec())
	restarted.Spec.Template.Annotations = map[string]string{"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}

	unconfined := newDeployment("web", compliantSpec())
	unconfined.Spec.Template.Annotations = map[string]string{"container.apparmor.security.beta.kubernetes.io/web": "unconfined"}

	worse := newDeployment("web", privilegedSpec())
	worse.Spec.Template.Spec.Containers[0].SecurityContext.RunAsUser = new(int64(0))

	escalationFixed := newDeployment("web", privilegedSpec())
	escalationFixed.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = new(false)

	tests := []handlerCase{
		{
			name: "update of labels, annotations, replicas and finalizers only",
			req:  review(t, admissionv1.Update, relabelled, deployment),
			want: allowed,
		},
		{
			name: "kubectl rollout restart",
			req:  review(t, admissionv1.Update, restarted, deployment),
			want: allowed,
		},
		{
			name: "update that breaks a compliant deployment",
			req:  review(t, admissionv1.Update, deployment, newDeployment("web", compliantSpec())),
			want: denied("deployments.apps", "web", inDeployment...),
		},
		{
			name: "update that adds a violation to a non-compliant deployment: only the new one is denied",
			req:  review(t, admissionv1.Update, worse, deployment),
			want: denied("deployments.apps", "web", runAsRoot).withExisting(inDeployment...),
		},
		{
			name: "update that fixes one violation of a non-compliant deployment: allowed, the rest warned as existing",
			req:  review(t, admissionv1.Update, escalationFixed, deployment),
			want: allowed.withExisting(inDeployment[0]),
		},
		{
			name:   "updates: full judges the whole object",
			config: "updates: full\n",
			req:    review(t, admissionv1.Update, worse, deployment),
			want:   denied("deployments.apps", "web", append(slices.Clone(inDeployment), runAsRoot)...),
		},
		{
			name: "update that adds an AppArmor annotation",
			req:  review(t, admissionv1.Update, unconfined, newDeployment("web", compliantSpec())),
			want: denied("deployments.apps", "web", found{"apparmor-profile", "web", "spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]"}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
