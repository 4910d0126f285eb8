package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestUserSubject(t *testing.T) {
	const fix = "bind a Group (on AKS, a Microsoft Entra ID group) or a ServiceAccount instead"
	userViolation := func(field, name string) Violation {
		return Violation{Rule: "user-subject", Field: field, Problem: `binds User "` + name + `"`, Fix: fix}
	}
	user := func(name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
	}
	group := rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "3f2a1c9e-0000-4000-8000-000000000001"}
	serviceAccount := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "deployer", Namespace: "ci"}

	check := ruleByID(t, "user-subject").CheckBinding
	require.NotNil(t, check)

	tests := []struct {
		name     string
		subjects []rbacv1.Subject
		allowed  []string // nil means the default
		want     []Violation
	}{
		{name: "no subjects"},
		{name: "group", subjects: []rbacv1.Subject{group}},
		{name: "service account", subjects: []rbacv1.Subject{serviceAccount}},
		{
			name:     "user",
			subjects: []rbacv1.Subject{user("alice@contoso.com")},
			want:     []Violation{userViolation("subjects[0]", "alice@contoso.com")},
		},
		{
			name:     "users among other subjects, in subject order",
			subjects: []rbacv1.Subject{group, user("alice@contoso.com"), serviceAccount, user("bob@contoso.com")},
			want: []Violation{
				userViolation("subjects[1]", "alice@contoso.com"),
				userViolation("subjects[3]", "bob@contoso.com"),
			},
		},
		{name: "control plane user allowed by default", subjects: []rbacv1.Subject{user("system:kube-scheduler")}},
		{
			name:     "default allows only the system: prefix",
			subjects: []rbacv1.Subject{user("systemadmin"), user("kube-system:admin")},
			want: []Violation{
				userViolation("subjects[0]", "systemadmin"),
				userViolation("subjects[1]", "kube-system:admin"),
			},
		},
		{
			name:     "allowed exactly",
			subjects: []rbacv1.Subject{user("breakglass@contoso.com"), user("breakglass@contoso.com.evil")},
			allowed:  []string{"breakglass@contoso.com"},
			want:     []Violation{userViolation("subjects[1]", "breakglass@contoso.com.evil")},
		},
		{
			name:     "allowed by prefix",
			subjects: []rbacv1.Subject{user("ops-1@contoso.com"), user("dev-1@contoso.com")},
			allowed:  []string{"ops-*"},
			want:     []Violation{userViolation("subjects[1]", "dev-1@contoso.com")},
		},
		{
			name:     "empty allow list rejects system users too",
			subjects: []rbacv1.Subject{user("system:kube-scheduler")},
			allowed:  []string{},
			want:     []Violation{userViolation("subjects[0]", "system:kube-scheduler")},
		},
		{
			name:     "kind is matched exactly, as the API spells it",
			subjects: []rbacv1.Subject{{Kind: "Group", Name: "alice@contoso.com"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := DefaultOptions()
			if tt.allowed != nil {
				opts.AllowedUsers = tt.allowed
			}
			got := withoutIdentities(check(&Binding{Subjects: tt.subjects}, &opts))
			if len(tt.want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMatchesName(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		match    []string
		noMatch  []string
	}{
		{name: "no patterns", noMatch: []string{"", "alice", "system:admin"}},
		{name: "exact", patterns: []string{"alice"}, match: []string{"alice"}, noMatch: []string{"alice2", "Alice", "alic", ""}},
		{name: "prefix", patterns: []string{"system:*"}, match: []string{"system:", "system:kube-scheduler"}, noMatch: []string{"system", "xsystem:a", "System:a"}},
		{name: "star alone matches everything", patterns: []string{"*"}, match: []string{"", "alice"}},
		{name: "star only counts at the end", patterns: []string{"a*b"}, match: []string{"a*b"}, noMatch: []string{"axb", "a*bc"}},
		{name: "any pattern", patterns: []string{"bob", "ops-*"}, match: []string{"bob", "ops-1"}, noMatch: []string{"alice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range tt.match {
				assert.True(t, MatchesName(tt.patterns, name), "%q should match %q", name, tt.patterns)
			}
			for _, name := range tt.noMatch {
				assert.False(t, MatchesName(tt.patterns, name), "%q should not match %q", name, tt.patterns)
			}
		})
	}
}
