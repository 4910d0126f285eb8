package rules

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

/*
user-subject rejects RoleBindings and ClusterRoleBindings that grant a role to an individual User. Granting
roles to groups (on AKS, Microsoft Entra ID groups) or to service accounts makes access follow group
membership: people who leave a team lose its access without anyone editing bindings.

Fields read:
  subjects[*].kind, subjects[*].name
Passing values: kind Group or ServiceAccount; kind User whose name matches allowedUsers (default "system:*",
the control plane's own identities, which it binds as Users).
*/

const userSubjectID = "user-subject"

func userSubject() Rule {
	return Rule{
		ID:           userSubjectID,
		Doc:          "Rejects RoleBindings and ClusterRoleBindings that bind an individual User instead of a Group or ServiceAccount.",
		CheckBinding: checkUserSubject,
		Profiles:     allProfiles(),
		Settings: []Setting{{
			// The control plane binds its own identities (system:kube-scheduler,
			// system:kube-controller-manager, …) as Users, and blocking those bindings breaks cluster
			// upgrades, hence "system:*".
			Name:         "allowedUsers",
			Doc:          "User subjects that may still be bound: exact names, or prefixes ending in \"*\".",
			Type:         NamePatterns,
			DefaultNames: []string{"system:*"},
			apply:        func(opts *Options, _ bool, names []string) { opts.AllowedUsers = names },
		}},
	}
}

func checkUserSubject(binding *Binding, opts *Options) []Violation {
	var out []Violation
	for i, s := range binding.Subjects {
		if s.Kind != rbacv1.UserKind || MatchesName(opts.AllowedUsers, s.Name) {
			continue
		}
		out = append(out, Violation{
			Rule:     userSubjectID,
			Field:    field.NewPath("subjects").Index(i).String(),
			Problem:  fmt.Sprintf("binds User %q", s.Name),
			Fix:      "bind a Group (on AKS, a Microsoft Entra ID group) or a ServiceAccount instead",
			Identity: bindingIdentity(binding, s),
		})
	}
	return out
}
