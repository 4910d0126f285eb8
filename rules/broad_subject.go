package rules

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

/*
broad-subject rejects RoleBindings and ClusterRoleBindings that grant a role to everyone: the User
system:anonymous (any request without credentials), the Group system:unauthenticated (the same), the Group
system:authenticated (every account that can sign in; on AKS with Microsoft Entra ID, every account of the
tenant), or the Group system:serviceaccounts (every service-account token of every namespace: one
compromised pod anywhere would hold the role). A ClusterRoleBinding to system:serviceaccounts:<namespace>
is rejected too: it hands a cluster-wide grant to every pod of that namespace. Least privilege means granting
roles to the groups or ServiceAccounts that need them.

A RoleBinding to system:serviceaccounts:<namespace> passes: its grant stays inside the binding's namespace and
reaches one namespace's accounts, the same grain as a team's group; refusing it would refuse a common,
bounded pattern without closing a way to cluster-wide access.

Kubernetes itself grants a few read-only roles to everyone and re-creates those bindings at every API server
start (the discovery roles to system:authenticated and system:unauthenticated, the service-account issuer
discovery role to system:serviceaccounts): binding the ClusterRoles in allowedClusterRoles passes, so that
kubeguard never blocks the control plane. An abuser can only grant those read-only roles more widely.

Fields read:
  subjects[*].kind, subjects[*].name, roleRef.kind, roleRef.name, and whether the binding is a
  ClusterRoleBinding
Passing values: any subject but those above; or a roleRef to a ClusterRole in allowedClusterRoles.
*/

const broadSubjectID = "broad-subject"

// serviceAccountsGroup is the group of every service account; system:serviceaccounts:<namespace> is the
// group of one namespace's.
const serviceAccountsGroup = "system:serviceaccounts"

func broadSubject() Rule {
	return Rule{
		ID:           broadSubjectID,
		Doc:          "Rejects RoleBindings and ClusterRoleBindings that grant a role to everyone: system:anonymous, system:unauthenticated, system:authenticated or system:serviceaccounts (and, cluster-wide, system:serviceaccounts:<namespace>).",
		CheckBinding: checkBroadSubject,
		Settings: []Setting{{
			// The API server binds these discovery roles to system:authenticated, system:unauthenticated and
			// system:serviceaccounts itself, at every start.
			Name:         "allowedClusterRoles",
			Doc:          "ClusterRoles that may still be granted to everyone: exact names, or prefixes ending in \"*\".",
			Type:         NamePatterns,
			DefaultNames: []string{"system:discovery", "system:basic-user", "system:public-info-viewer", "system:service-account-issuer-discovery"},
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
		who := everyone(s, binding.ClusterWide)
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

// everyone says whom a subject stands for when it stands for everyone, and "" otherwise. clusterWide is
// set for a ClusterRoleBinding.
func everyone(s rbacv1.Subject, clusterWide bool) string {
	switch {
	case s.Kind == rbacv1.UserKind && s.Name == "system:anonymous":
		return `User "system:anonymous" (any request without credentials)`
	case s.Kind == rbacv1.GroupKind && s.Name == "system:unauthenticated":
		return `Group "system:unauthenticated" (any request without credentials)`
	case s.Kind == rbacv1.GroupKind && s.Name == "system:authenticated":
		return `Group "system:authenticated" (every account that can sign in)`
	case s.Kind == rbacv1.GroupKind && s.Name == serviceAccountsGroup:
		return `Group "system:serviceaccounts" (every service account of every namespace)`
	case clusterWide && s.Kind == rbacv1.GroupKind && strings.HasPrefix(s.Name, serviceAccountsGroup+":"):
		return fmt.Sprintf("Group %q (every service account of namespace %q, in every namespace)", s.Name, strings.TrimPrefix(s.Name, serviceAccountsGroup+":"))
	}
	return ""
}
