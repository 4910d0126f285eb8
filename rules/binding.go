package rules

import rbacv1 "k8s.io/api/rbac/v1"

// Binding is what the binding rules read of a RoleBinding or ClusterRoleBinding.
type Binding struct {
	Subjects []rbacv1.Subject `json:"subjects,omitempty"`
	RoleRef  rbacv1.RoleRef   `json:"roleRef"`
	// ClusterWide is set for a ClusterRoleBinding, whose grant reaches every namespace; the decoder sets it
	// from the object's kind, never from the object's JSON.
	ClusterWide bool `json:"-"`
}
