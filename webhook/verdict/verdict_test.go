package verdict_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/rules"
	"github.com/kubeguard/kubeguard/webhook/verdict"
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
			assert.Equal(t, tt.want, verdict.Line(tt.v))
		})
	}
}

func TestDenial(t *testing.T) {
	deployments := schema.GroupResource{Group: "apps", Resource: "deployments"}
	tests := []struct {
		name     string
		resource schema.GroupResource
		objName  string
		enforced []rules.Violation
		dryRun   []rules.Violation
		want     string
	}{
		{
			name:     "several rules",
			resource: deployments,
			objName:  "web",
			enforced: []rules.Violation{privileged, escalation},
			want: `deployments.apps "web" is forbidden: violates 2 kubeguard rules:
privileged: container "web": spec.template.spec.containers[0].securityContext.privileged: is true. Fix: set privileged: false or remove it
privilege-escalation: container "sidecar": spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation: is true. Fix: set allowPrivilegeEscalation: false`,
		},
		{
			name:     "one rule broken twice",
			resource: deployments,
			objName:  "web",
			enforced: []rules.Violation{escalationInit, escalation},
			want: `deployments.apps "web" is forbidden: violates 1 kubeguard rule:
privilege-escalation: container "migrate": spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation: is not set (the runtime default is true). Fix: set allowPrivilegeEscalation: false
privilege-escalation: container "sidecar": spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation: is true. Fix: set allowPrivilegeEscalation: false`,
		},
		{
			name:     "dry-run violations listed after the enforced ones",
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
			resource: schema.GroupResource{Resource: "pods"},
			objName:  "web-*",
			enforced: []rules.Violation{seccomp},
			want: `pods "web-*" is forbidden: violates 1 kubeguard rule:
seccomp-profile: spec.template.spec.securityContext.seccompProfile: is not set for the pod or any container. Fix: set seccompProfile: {type: RuntimeDefault}`,
		},
		{
			name:     "cluster-scoped binding",
			resource: schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"},
			objName:  "admins",
			enforced: []rules.Violation{userSubject},
			want: `clusterrolebindings.rbac.authorization.k8s.io "admins" is forbidden: violates 1 kubeguard rule:
user-subject: subjects[0]: binds User "alice@contoso.com". Fix: bind a Group or a ServiceAccount instead`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := verdict.Denial(tt.resource, tt.objName, tt.enforced, tt.dryRun)
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

func TestWarnings(t *testing.T) {
	assert.Equal(t, []string{
		`[dry-run] privileged: container "web": spec.template.spec.containers[0].securityContext.privileged: is true. Fix: set privileged: false or remove it`,
		`[dry-run] user-subject: subjects[0]: binds User "alice@contoso.com". Fix: bind a Group or a ServiceAccount instead`,
	}, verdict.Warnings([]rules.Violation{privileged, userSubject}))
	assert.Empty(t, verdict.Warnings(nil))
}

func TestRuleIDs(t *testing.T) {
	tests := []struct {
		name string
		vs   []rules.Violation
		want string
	}{
		{name: "none", want: ""},
		{name: "one", vs: []rules.Violation{privileged}, want: "privileged"},
		{name: "in order of first appearance", vs: []rules.Violation{seccomp, privileged}, want: "seccomp-profile,privileged"},
		{name: "each rule once", vs: []rules.Violation{escalationInit, privileged, escalation, privileged}, want: "privilege-escalation,privileged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, verdict.RuleIDs(tt.vs))
		})
	}
}

// The audit annotation's key is part of the contract: the API server stores it under the webhook's name, and
// admins search the audit log for <webhook>/dry-run-violations.
func TestAuditAnnotation(t *testing.T) {
	assert.Equal(t, "dry-run-violations", verdict.AuditAnnotation)
	assert.Equal(t, "[dry-run] ", verdict.DryRunPrefix)
}
