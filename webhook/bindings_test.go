package webhook_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// RoleBindings and ClusterRoleBindings: judged on their subjects.
func TestBindings(t *testing.T) {
	bob := found{"user-subject", "", "subjects[1]"}

	tests := []handlerCase{
		{
			name: "role binding to a user",
			req:  review(t, admissionv1.Create, newRoleBinding("editors", group("payments-devs"), user("bob@contoso.com")), nil),
			want: denied("rolebindings.rbac.authorization.k8s.io", "editors", bob),
		},
		{
			name: "cluster role binding to a user",
			req:  review(t, admissionv1.Create, newClusterRoleBinding("admins", serviceAccount("deployer"), user("bob@contoso.com")), nil),
			want: denied("clusterrolebindings.rbac.authorization.k8s.io", "admins", bob),
		},
		{
			name: "bindings to a group, a service account and a system user",
			req:  review(t, admissionv1.Create, newRoleBinding("editors", group("payments-devs"), serviceAccount("deployer"), user("system:kube-scheduler")), nil),
			want: allowed,
		},
		{
			name: "update of a binding's labels only",
			req: review(t, admissionv1.Update,
				func() runtime.Object {
					b := newRoleBinding("editors", user("bob@contoso.com"))
					b.Labels = map[string]string{"team": "payments"}
					return b
				}(),
				newRoleBinding("editors", user("bob@contoso.com"))),
			want: allowed,
		},
		{
			name:   "allowed user",
			config: "rules:\n  user-subject: {allowedUsers: [\"system:*\", \"bob@*\"]}\n",
			req:    review(t, admissionv1.Create, newRoleBinding("editors", user("bob@contoso.com")), nil),
			want:   allowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
