package webhook_test

import (
	"strings"
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

	escalationFixed := newDeployment("web", privilegedSpec())
	escalationFixed.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = new(false)
	const runAsUserLine = `run-as-root: container "web": spec.template.spec.containers[0].securityContext.runAsUser: is 0 (root). Fix: set runAsUser to a non-zero UID (for example 65532) or remove it`

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
			name: "update that adds a violation to a non-compliant deployment: only the new one is denied",
			req:  review(t, admissionv1.Update, worse, deployment),
			want: withAudit(denied(`deployments.apps "web"`, 1, []string{runAsUserLine},
				"spec.template.spec.containers[0].securityContext.runAsUser"), existingAudit("privileged,privilege-escalation", deploymentLines)),
		},
		{
			name: "update that fixes one violation of a non-compliant deployment: allowed, the rest warned as existing",
			req:  review(t, admissionv1.Update, escalationFixed, deployment),
			want: withAudit(expect{allowed: true, warnings: []string{`[existing] privileged: container "web": privileged is true`}},
				existingAudit("privileged", deploymentLines[:1])),
		},
		{
			name:   "updates: full judges the whole object",
			config: "updates: full\n",
			req:    review(t, admissionv1.Update, worse, deployment),
			want: denied(`deployments.apps "web"`, 3, append(append([]string(nil), deploymentLines...), runAsUserLine),
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

// existingAudit is the audit annotations of violations an update carries over.
func existingAudit(ruleIDs string, lines []string) map[string]string {
	marked := make([]string, len(lines))
	for i, l := range lines {
		marked[i] = "[existing] " + l
	}
	return map[string]string{"existing-violations": ruleIDs, "existing-messages": strings.Join(marked, "\n")}
}

func withAudit(e expect, audit map[string]string) expect {
	e.audit = audit
	return e
}
