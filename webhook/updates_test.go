package webhook_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// Updating an object: judged only when something the rules read changed.
func TestUpdates(t *testing.T) {
	deployment := newDeployment("web", privilegedSpec())
	deploymentLines := privilegedLines("spec.template.spec")

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
			want: denied(`deployments.apps "web"`, 2, deploymentLines,
				"spec.template.spec.containers[0].securityContext.privileged",
				"spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"),
		},
		{
			name: "update that changes the security context of a non-compliant deployment",
			req:  review(t, admissionv1.Update, worse, deployment),
			want: denied(`deployments.apps "web"`, 3, append(append([]string(nil), deploymentLines...),
				`run-as-root: container "web": spec.template.spec.containers[0].securityContext.runAsUser: is 0 (root). Fix: set runAsUser to a non-zero UID (for example 65532) or remove it`),
				"spec.template.spec.containers[0].securityContext.privileged",
				"spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation",
				"spec.template.spec.containers[0].securityContext.runAsUser"),
		},
		{
			name: "update that adds an AppArmor annotation",
			req:  review(t, admissionv1.Update, unconfined, newDeployment("web", compliantSpec())),
			want: denied(`deployments.apps "web"`, 1, []string{
				`apparmor-profile: container "web": spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]: is Unconfined. Fix: set it to runtime/default, or remove it and set appArmorProfile: {type: RuntimeDefault}`,
			}, "spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
