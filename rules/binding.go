package rules

import rbacv1 "k8s.io/api/rbac/v1"

// Binding is what the binding rules read of a RoleBinding or ClusterRoleBinding.
type Binding struct {
	Subjects []rbacv1.Subject `json:"subjects,omitempty"`
	RoleRef  rbacv1.RoleRef   `json:"roleRef"`
}
