package rules

import (
	"testing"

	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestBroadSubject(t *testing.T) {
	broad := func(field string) Violation { return violation("broad-subject", field, "") }
	user := func(name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
	}
	group := func(name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
	}
	clusterRole := func(name string) rbacv1.RoleRef {
		return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}
	}
	admin := clusterRole("cluster-admin")

	check := ruleByID(t, "broad-subject").CheckBinding
	require.NotNil(t, check)

	tests := []struct {
		name    string
		binding Binding
		allowed []string // nil means the default
		want    []Violation
	}{
		{name: "no subjects", binding: Binding{RoleRef: admin}},
		{name: "a team's group", binding: Binding{RoleRef: admin, Subjects: []rbacv1.Subject{group("payments-admins")}}},
		{name: "a user", binding: Binding{RoleRef: admin, Subjects: []rbacv1.Subject{user("alice@contoso.com")}}},
		{
			name:    "anonymous",
			binding: Binding{RoleRef: admin, Subjects: []rbacv1.Subject{user("system:anonymous")}},
			want:    []Violation{broad("subjects[0]")},
		},
		{
			name: "every account, among other subjects, in subject order",
			binding: Binding{RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "editor"}, Subjects: []rbacv1.Subject{
				group("payments-devs"), group("system:authenticated"), group("system:unauthenticated"),
			}},
			want: []Violation{
				broad("subjects[1]"),
				broad("subjects[2]"),
			},
		},
		{
			name:    "every service account, in a RoleBinding",
			binding: Binding{RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "editor"}, Subjects: []rbacv1.Subject{group("system:serviceaccounts")}},
			want:    []Violation{broad("subjects[0]")},
		},
		{
			name:    "every service account, cluster-wide",
			binding: Binding{ClusterWide: true, RoleRef: admin, Subjects: []rbacv1.Subject{group("system:serviceaccounts")}},
			want:    []Violation{broad("subjects[0]")},
		},
		{
			name:    "one namespace's service accounts, cluster-wide",
			binding: Binding{ClusterWide: true, RoleRef: admin, Subjects: []rbacv1.Subject{group("payments-admins"), group("system:serviceaccounts:payments")}},
			want:    []Violation{broad("subjects[1]")},
		},
		{
			name:    "one namespace's service accounts, in a RoleBinding, stay in its namespace",
			binding: Binding{RoleRef: admin, Subjects: []rbacv1.Subject{group("system:serviceaccounts:payments")}},
		},
		{
			name:    "a User named like the service-account group is a user of that name",
			binding: Binding{ClusterWide: true, RoleRef: admin, Subjects: []rbacv1.Subject{user("system:serviceaccounts"), user("system:serviceaccounts:payments")}},
		},
		{
			name:    "a group whose name only starts like the service-account group",
			binding: Binding{ClusterWide: true, RoleRef: admin, Subjects: []rbacv1.Subject{group("system:serviceaccountsx")}},
		},
		{
			name:    "the issuer discovery role Kubernetes grants to every service account itself",
			binding: Binding{ClusterWide: true, RoleRef: clusterRole("system:service-account-issuer-discovery"), Subjects: []rbacv1.Subject{group("system:serviceaccounts")}},
		},
		{
			name:    "a Group named like the anonymous User is a group of that name",
			binding: Binding{RoleRef: admin, Subjects: []rbacv1.Subject{group("system:anonymous"), user("system:authenticated")}},
		},
		{
			name:    "the discovery roles Kubernetes grants to everyone itself",
			binding: Binding{RoleRef: clusterRole("system:public-info-viewer"), Subjects: []rbacv1.Subject{group("system:authenticated"), group("system:unauthenticated")}},
		},
		{
			name:    "a Role that shares an allowed ClusterRole's name",
			binding: Binding{RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "system:discovery"}, Subjects: []rbacv1.Subject{group("system:authenticated")}},
			want:    []Violation{broad("subjects[0]")},
		},
		{
			name:    "a ClusterRole allowed by the configuration",
			binding: Binding{RoleRef: clusterRole("company:read-catalog"), Subjects: []rbacv1.Subject{group("system:authenticated")}},
			allowed: []string{"company:*"},
		},
		{
			name:    "the configuration replaces the defaults",
			binding: Binding{RoleRef: clusterRole("system:discovery"), Subjects: []rbacv1.Subject{group("system:authenticated")}},
			allowed: []string{"company:*"},
			want:    []Violation{broad("subjects[0]")},
		},
	}
	cases := make([]judged, 0, len(tests))
	for _, tt := range tests {
		opts := DefaultOptions()
		if tt.allowed != nil {
			opts.AllowedBroadClusterRoles = tt.allowed
		}
		cases = append(cases, judged{name: tt.name, want: tt.want, got: check(&tt.binding, &opts)})
	}
	assertJudged(t, "broad-subject", cases)
}
