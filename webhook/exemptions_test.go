package webhook_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// Exempt namespaces and requesters are left alone; the built-in controllers are only warned about.
func TestExemptions(t *testing.T) {
	privileged := newPod("web", privilegedSpec())
	inPod := privilegedViolations("spec")

	tests := []handlerCase{
		{name: "exempt namespace", req: review(t, admissionv1.Create, privileged, nil, inNamespace("kube-system")), want: allowed},
		{
			name:   "exempt user",
			config: "exemptions:\n  users: [\"system:serviceaccount:argocd:*\"]\n",
			req:    review(t, admissionv1.Create, privileged, nil, asUser("system:serviceaccount:argocd:argocd-application-controller")),
			want:   allowed,
		},
		{
			name:   "exempt group",
			config: "exemptions:\n  groups: [platform-admins]\n",
			req:    review(t, admissionv1.Create, privileged, nil, asUser("bob@contoso.com", "system:authenticated", "platform-admins")),
			want:   allowed,
		},
		{
			name:   "user not exempt",
			config: "exemptions:\n  users: [\"system:serviceaccount:argocd:*\"]\n  groups: [platform-admins]\n",
			req:    review(t, admissionv1.Create, privileged, nil),
			want:   denied("pods", "web", inPod...),
		},
		{
			name: "built-in controller creating pods",
			req:  review(t, admissionv1.Create, privileged, nil, asUser("system:serviceaccount:kube-system:replicaset-controller", "system:serviceaccounts", "system:serviceaccounts:kube-system")),
			want: warned(inPod...),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
