package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestUserSubject(t *testing.T) {
	userViolation := func(field string) Violation { return violation("user-subject", field, "") }
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
			want:     []Violation{userViolation("subjects[0]")},
		},
		{
			name:     "users among other subjects, in subject order",
			subjects: []rbacv1.Subject{group, user("alice@contoso.com"), serviceAccount, user("bob@contoso.com")},
			want: []Violation{
				userViolation("subjects[1]"),
				userViolation("subjects[3]"),
			},
		},
		{name: "control plane user allowed by default", subjects: []rbacv1.Subject{user("system:kube-scheduler")}},
		{
			name:     "default allows only the system: prefix",
			subjects: []rbacv1.Subject{user("systemadmin"), user("kube-system:admin")},
			want: []Violation{
				userViolation("subjects[0]"),
				userViolation("subjects[1]"),
			},
		},
		{
			name:     "allowed exactly",
			subjects: []rbacv1.Subject{user("breakglass@contoso.com"), user("breakglass@contoso.com.evil")},
			allowed:  []string{"breakglass@contoso.com"},
			want:     []Violation{userViolation("subjects[1]")},
		},
		{
			name:     "allowed by prefix",
			subjects: []rbacv1.Subject{user("ops-1@contoso.com"), user("dev-1@contoso.com")},
			allowed:  []string{"ops-*"},
			want:     []Violation{userViolation("subjects[1]")},
		},
		{
			name:     "empty allow list rejects system users too",
			subjects: []rbacv1.Subject{user("system:kube-scheduler")},
			allowed:  []string{},
			want:     []Violation{userViolation("subjects[0]")},
		},
		{
			name:     "kind is matched exactly, as the API spells it",
			subjects: []rbacv1.Subject{{Kind: "Group", Name: "alice@contoso.com"}},
		},
	}
	cases := make([]judged, 0, len(tests))
	for _, tt := range tests {
		opts := DefaultOptions()
		if tt.allowed != nil {
			opts.AllowedUsers = tt.allowed
		}
		cases = append(cases, judged{name: tt.name, want: tt.want, got: check(&Binding{Subjects: tt.subjects}, &opts)})
	}
	assertJudged(t, "user-subject", cases)
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
