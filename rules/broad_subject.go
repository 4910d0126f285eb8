package rules

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

/*
broad-subject rejects RoleBindings and ClusterRoleBindings that grant a role to everyone: the User
system:anonymous (any request without credentials), the Group system:unauthenticated (the same), or the Group
system:authenticated (every account that can sign in; on AKS with Microsoft Entra ID, every account of the
tenant). Least privilege means granting roles to the groups that need them.

Kubernetes itself grants a few read-only discovery roles to everyone and re-creates those bindings at every
API server start: binding the ClusterRoles in allowedClusterRoles passes, so that kubeguard never blocks
the control plane.

Fields read:
  subjects[*].kind, subjects[*].name, roleRef.kind, roleRef.name
Passing values: any subject but those three; or a roleRef to a ClusterRole in allowedClusterRoles.
*/

const broadSubjectID = "broad-subject"

func broadSubject() Rule {
	return Rule{
		ID:           broadSubjectID,
		Doc:          "Rejects RoleBindings and ClusterRoleBindings that grant a role to everyone: system:anonymous, system:unauthenticated or system:authenticated.",
		CheckBinding: checkBroadSubject,
		Settings: []Setting{{
			// The API server binds these discovery roles to system:authenticated and system:unauthenticated
			// itself, at every start.
			Name:         "allowedClusterRoles",
			Doc:          "ClusterRoles that may still be granted to everyone: exact names, or prefixes ending in \"*\".",
			Type:         NamePatterns,
			DefaultNames: []string{"system:discovery", "system:basic-user", "system:public-info-viewer"},
			apply:        func(opts *Options, _ bool, names []string) { opts.AllowedBroadClusterRoles = names },
		}},
		Profiles: allProfiles(),
	}
}

func checkBroadSubject(binding *Binding, opts *Options) []Violation {
	if binding.RoleRef.Kind == "ClusterRole" && MatchesName(opts.AllowedBroadClusterRoles, binding.RoleRef.Name) {
		return nil
	}
	var out []Violation
	for i, s := range binding.Subjects {
		who := everyone(s)
		if who == "" {
			continue
		}
		out = append(out, Violation{
			Rule:     broadSubjectID,
			Field:    field.NewPath("subjects").Index(i).String(),
			Problem:  fmt.Sprintf("grants %s %q to %s", binding.RoleRef.Kind, binding.RoleRef.Name, who),
			Fix:      "bind the Groups (on AKS, Microsoft Entra ID groups) or ServiceAccounts that need the role instead",
			Identity: bindingIdentity(binding, s),
		})
	}
	return out
}

// everyone says whom a subject stands for when it stands for everyone, and "" otherwise.
func everyone(s rbacv1.Subject) string {
	switch {
	case s.Kind == rbacv1.UserKind && s.Name == "system:anonymous":
		return `User "system:anonymous" (any request without credentials)`
	case s.Kind == rbacv1.GroupKind && s.Name == "system:unauthenticated":
		return `Group "system:unauthenticated" (any request without credentials)`
	case s.Kind == rbacv1.GroupKind && s.Name == "system:authenticated":
		return `Group "system:authenticated" (every account that can sign in)`
	}
	return ""
}
