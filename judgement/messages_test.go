package judgement_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/rules"
)

var (
	privileged = rules.Violation{
		Rule:      "privileged",
		Field:     "spec.template.spec.containers[0].securityContext.privileged",
		Container: "web",
		Problem:   "is true",
		Fix:       "set privileged: false or remove it",
	}
	escalation = rules.Violation{
		Rule:      "privilege-escalation",
		Field:     "spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation",
		Container: "sidecar",
		Problem:   "is true",
		Fix:       "set allowPrivilegeEscalation: false",
	}
	escalationInit = rules.Violation{
		Rule:      "privilege-escalation",
		Field:     "spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation",
		Container: "migrate",
		Problem:   "is not set (the runtime default is true)",
		Fix:       "set allowPrivilegeEscalation: false",
	}
	seccomp = rules.Violation{
		Rule:    "seccomp-profile",
		Field:   "spec.template.spec.securityContext.seccompProfile",
		Problem: "is not set for the pod or any container",
		Fix:     "set seccompProfile: {type: RuntimeDefault}",
	}
	userSubject = rules.Violation{
		Rule:    "user-subject",
		Field:   "subjects[0]",
		Problem: `binds User "alice@contoso.com"`,
		Fix:     "bind a Group or a ServiceAccount instead",
	}
)

func TestLine(t *testing.T) {
	tests := []struct {
		name string
		v    rules.Violation
		want string
	}{
		{
			name: "container",
			v:    privileged,
			want: `privileged: container "web": spec.template.spec.containers[0].securityContext.privileged: is true. Fix: set privileged: false or remove it`,
		},
		{
			name: "pod level",
			v:    seccomp,
			want: `seccomp-profile: spec.template.spec.securityContext.seccompProfile: is not set for the pod or any container. Fix: set seccompProfile: {type: RuntimeDefault}`,
		},
		{
			name: "binding",
			v:    userSubject,
			want: `user-subject: subjects[0]: binds User "alice@contoso.com". Fix: bind a Group or a ServiceAccount instead`,
		},
		{
			name: "container name quoted as Go does",
			v:    rules.Violation{Rule: "privileged", Field: "spec.containers[0].securityContext.privileged", Container: `we"b`, Problem: "is true", Fix: "set privileged: false"},
			want: `privileged: container "we\"b": spec.containers[0].securityContext.privileged: is true. Fix: set privileged: false`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, judgement.Line(tt.v))
		})
	}
}

// kind looks a judged kind up by its group and name.
func kind(t *testing.T, group, name string) *objects.Kind {
	t.Helper()
	k, ok := objects.Lookup(schema.GroupKind{Group: group, Kind: name})
	require.True(t, ok, "kubeguard judges %s", name)
	return k
}

func TestDenial(t *testing.T) {
	deployments := schema.GroupResource{Group: "apps", Resource: "deployments"}
	tests := []struct {
		name     string
		kind     [2]string
		resource schema.GroupResource
		objName  string
		enforced []rules.Violation
		dryRun   []rules.Violation
		want     string
	}{
		{
			name:     "several rules",
			kind:     [2]string{"apps", "Deployment"},
			resource: deployments,
			objName:  "web",
			enforced: []rules.Violation{privileged, escalation},
			want: `deployments.apps "web" is forbidden: violates 2 kubeguard rules:
privileged: container "web": spec.template.spec.containers[0].securityContext.privileged: is true. Fix: set privileged: false or remove it
privilege-escalation: container "sidecar": spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation: is true. Fix: set allowPrivilegeEscalation: false`,
		},
		{
			name:     "one rule broken twice",
			kind:     [2]string{"apps", "Deployment"},
			resource: deployments,
			objName:  "web",
			enforced: []rules.Violation{escalationInit, escalation},
			want: `deployments.apps "web" is forbidden: violates 1 kubeguard rule:
privilege-escalation: container "migrate": spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation: is not set (the runtime default is true). Fix: set allowPrivilegeEscalation: false
privilege-escalation: container "sidecar": spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation: is true. Fix: set allowPrivilegeEscalation: false`,
		},
		{
			name:     "dry-run violations listed after the enforced ones",
			kind:     [2]string{"apps", "Deployment"},
			resource: deployments,
			objName:  "web",
			enforced: []rules.Violation{escalation},
			dryRun:   []rules.Violation{privileged, seccomp},
			want: `deployments.apps "web" is forbidden: violates 1 kubeguard rule:
privilege-escalation: container "sidecar": spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation: is true. Fix: set allowPrivilegeEscalation: false
[dry-run] privileged: container "web": spec.template.spec.containers[0].securityContext.privileged: is true. Fix: set privileged: false or remove it
[dry-run] seccomp-profile: spec.template.spec.securityContext.seccompProfile: is not set for the pod or any container. Fix: set seccompProfile: {type: RuntimeDefault}`,
		},
		{
			name:     "core group",
			kind:     [2]string{"", "Pod"},
			resource: schema.GroupResource{Resource: "pods"},
			objName:  "web-*",
			enforced: []rules.Violation{seccomp},
			want: `pods "web-*" is forbidden: violates 1 kubeguard rule:
seccomp-profile: spec.template.spec.securityContext.seccompProfile: is not set for the pod or any container. Fix: set seccompProfile: {type: RuntimeDefault}`,
		},
		{
			name:     "cluster-scoped binding",
			kind:     [2]string{"rbac.authorization.k8s.io", "ClusterRoleBinding"},
			resource: schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"},
			objName:  "admins",
			enforced: []rules.Violation{userSubject},
			want: `clusterrolebindings.rbac.authorization.k8s.io "admins" is forbidden: violates 1 kubeguard rule:
user-subject: subjects[0]: binds User "alice@contoso.com". Fix: bind a Group or a ServiceAccount instead`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judgement.Verdict{
				Decision: judgement.Denied,
				Kind:     kind(t, tt.kind[0], tt.kind[1]),
				Name:     tt.objName,
				Result:   judgement.Result{Enforced: tt.enforced, DryRun: tt.dryRun},
			}
			status := v.Denial()
			require.NotNil(t, status)

			assert.Equal(t, tt.want, status.Message)
			assert.Equal(t, metav1.StatusFailure, status.Status)
			assert.Equal(t, int32(http.StatusForbidden), status.Code)
			assert.Equal(t, metav1.StatusReasonForbidden, status.Reason)
			require.NotNil(t, status.Details)
			assert.Equal(t, tt.objName, status.Details.Name)
			assert.Equal(t, tt.resource.Group, status.Details.Group)
			assert.Equal(t, tt.resource.Resource, status.Details.Kind)

			// One cause per enforced violation, for tools; dry-run ones do not cause the denial.
			require.Len(t, status.Details.Causes, len(tt.enforced))
			lines := strings.Split(tt.want, "\n")[1:]
			for i, v := range tt.enforced {
				assert.Equal(t, metav1.StatusCause{Type: "FieldValueForbidden", Field: v.Field, Message: lines[i]}, status.Details.Causes[i])
			}
		})
	}
}

// A warning is one short line: the rule, the container, the setting and what is wrong with it.
func TestWarning(t *testing.T) {
	tests := []struct {
		name string
		v    rules.Violation
		want string
	}{
		{name: "container", v: privileged, want: `[dry-run] privileged: container "web": privileged is true`},
		{name: "pod level", v: seccomp, want: `[dry-run] seccomp-profile: seccompProfile is not set for the pod or any container`},
		{name: "binding", v: userSubject, want: `[dry-run] user-subject: subjects[0] binds User "alice@contoso.com"`},
		{
			name: "annotation",
			v: rules.Violation{
				Rule: "apparmor-profile", Container: "web", Problem: "is Unconfined",
				Field: "spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]",
			},
			want: `[dry-run] apparmor-profile: container "web": annotation is Unconfined`,
		},
		{
			name: "a dot inside a key is not a path separator",
			v:    rules.Violation{Rule: "r", Field: "spec.x[a.b]", Problem: "is bad"},
			want: `[dry-run] r: x[a.b] is bad`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, judgement.Warning(tt.v))
		})
	}
}

// However long the names in a violation, a warning stays within what the API server passes on whole.
func TestWarningIsBounded(t *testing.T) {
	long := rules.Violation{
		Rule:      "run-as-root",
		Field:     "spec.securityContext.runAsUser",
		Container: strings.Repeat("c", 63),
		Problem:   "is 0 (root), inherited by containers " + strings.Repeat(`"ü-container", `, 40),
	}
	w := judgement.Warning(long)
	assert.LessOrEqual(t, len(w), 256)
	assert.True(t, strings.HasSuffix(w, "..."), w)
	assert.True(t, utf8.ValidString(w), "cut on a character boundary")
	assert.True(t, strings.HasPrefix(w, `[dry-run] run-as-root: container "ccc`))
}

// An allowed request with dry-run violations carries one short warning per violation, and records the
// rule IDs and the full lines in its audit annotations. A denial records them too, but warns of nothing.
func TestWarningsAndAuditAnnotations(t *testing.T) {
	warned := judgement.Verdict{Decision: judgement.Warned, Result: judgement.Result{DryRun: []rules.Violation{escalationInit, privileged, escalation}}}
	assert.Equal(t, []string{
		`[dry-run] privilege-escalation: container "migrate": allowPrivilegeEscalation is not set (the runtime default is true)`,
		`[dry-run] privileged: container "web": privileged is true`,
		`[dry-run] privilege-escalation: container "sidecar": allowPrivilegeEscalation is true`,
	}, warned.Warnings())
	assert.Equal(t, map[string]string{
		"dry-run-violations": "privilege-escalation,privileged",
		"dry-run-messages": `[dry-run] privilege-escalation: container "migrate": spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation: is not set (the runtime default is true). Fix: set allowPrivilegeEscalation: false
[dry-run] privileged: container "web": spec.template.spec.containers[0].securityContext.privileged: is true. Fix: set privileged: false or remove it
[dry-run] privilege-escalation: container "sidecar": spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation: is true. Fix: set allowPrivilegeEscalation: false`,
	}, warned.AuditAnnotations())

	denied := judgement.Verdict{Decision: judgement.Denied, Result: judgement.Result{Enforced: []rules.Violation{escalation}, DryRun: []rules.Violation{privileged}}}
	assert.Nil(t, denied.Warnings(), "the denial's message lists the dry-run violations")
	assert.Equal(t, map[string]string{
		"dry-run-violations": "privileged",
		"dry-run-messages":   `[dry-run] privileged: container "web": spec.template.spec.containers[0].securityContext.privileged: is true. Fix: set privileged: false or remove it`,
	}, denied.AuditAnnotations(), "recorded with the denial")
	allowed := judgement.Verdict{Decision: judgement.Allowed}
	assert.Nil(t, allowed.Warnings())
	assert.Nil(t, allowed.AuditAnnotations())
}

// However many violations a request has, its answer lists a bounded number and says how many more there are.
func TestAnswersAreBounded(t *testing.T) {
	many := func(n int, name string) []rules.Violation {
		out := make([]rules.Violation, n)
		for i := range out {
			out[i] = rules.Violation{
				Rule: "privileged", Container: fmt.Sprintf("%s-%d", name, i), Problem: "is true", Fix: "set privileged: false",
				Field: fmt.Sprintf("spec.containers[%d].securityContext.privileged", i),
			}
		}
		return out
	}
	denied := judgement.Verdict{
		Decision: judgement.Denied, Kind: kind(t, "", "Pod"), Name: "web",
		Result: judgement.Result{Enforced: many(40, "app"), DryRun: many(1500, "debug")},
	}
	status := denied.Denial()
	lines := strings.Split(status.Message, "\n")
	require.Len(t, lines, 1+50+1, "the header, 50 violations, and how many more")
	assert.Equal(t, `privileged: container "app-0": spec.containers[0].securityContext.privileged: is true. Fix: set privileged: false`, lines[1])
	assert.Equal(t, `[dry-run] privileged: container "debug-9": spec.containers[9].securityContext.privileged: is true. Fix: set privileged: false`, lines[50])
	assert.Equal(t, "... and 1490 more violations (kubeguard check -o json lists them all)", lines[51])
	assert.Len(t, status.Details.Causes, 40)
	assert.Len(t, denied.AuditAnnotations()["dry-run-messages"], len(strings.Join(denied.DryRunLines()[:50], "\n"))+len("\n... and 1450 more"))

	warned := judgement.Verdict{Decision: judgement.Warned, Result: judgement.Result{DryRun: many(1500, "app")}}
	warnings := warned.Warnings()
	require.Len(t, warnings, 20)
	assert.Equal(t, `[dry-run] privileged: container "app-18": privileged is true`, warnings[18])
	assert.Equal(t, "[dry-run] ... and 1481 more violations (kubeguard check -o json lists them all)", warnings[19])
	assert.Len(t, warned.DryRunLines(), 1500, "kubeguard check prints them all")

	exactly := judgement.Verdict{Decision: judgement.Warned, Result: judgement.Result{DryRun: many(20, "app")}}
	assert.NotContains(t, strings.Join(exactly.Warnings(), "\n"), "more", "20 warnings fit")

	long := rules.Violation{Rule: "user-subject", Field: "subjects[0]", Problem: "binds User " + strings.Repeat("x", 1<<20), Fix: "bind a Group"}
	assert.Len(t, judgement.Line(long), 1024)
}
