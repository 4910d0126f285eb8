package judgement_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/internal/testgolden"
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
	}{
		{name: "container", v: privileged},
		{name: "pod level", v: seccomp},
		{name: "binding", v: userSubject},
		{name: "container name quoted as Go does", v: rules.Violation{Rule: "privileged", Field: "spec.containers[0].securityContext.privileged", Container: `we"b`, Problem: "is true", Fix: "set privileged: false"}},
	}
	var golden goldenMessages
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := judgement.Line(tt.v)
			assert.NotContains(t, line, "\n", "one line")
			if strings.Contains(tt.v.Container, `"`) {
				// Quoted, so that a name cannot end the quotes and pose as more of the message.
				assert.NotContains(t, line, tt.v.Container)
				tt.v.Container = ""
			}
			assertNames(t, line, tt.v, true)
			golden.add(tt.name, line)
		})
	}
	golden.check(t)
}

// assertNames checks that a message speaks of v: its rule, its container and, when withField, its field path.
func assertNames(t *testing.T, message string, v rules.Violation, withField bool) {
	t.Helper()
	assert.Contains(t, message, v.Rule)
	assert.Contains(t, message, v.Container)
	if withField {
		assert.Contains(t, message, v.Field)
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
	}{
		{
			name:     "several rules",
			kind:     [2]string{"apps", "Deployment"},
			resource: deployments,
			objName:  "web",
			enforced: []rules.Violation{privileged, escalation},
		},
		{
			name:     "one rule broken twice",
			kind:     [2]string{"apps", "Deployment"},
			resource: deployments,
			objName:  "web",
			enforced: []rules.Violation{escalationInit, escalation},
		},
		{
			name:     "dry-run violations listed after the enforced ones",
			kind:     [2]string{"apps", "Deployment"},
			resource: deployments,
			objName:  "web",
			enforced: []rules.Violation{escalation},
			dryRun:   []rules.Violation{privileged, seccomp},
		},
		{
			name:     "core group",
			kind:     [2]string{"", "Pod"},
			resource: schema.GroupResource{Resource: "pods"},
			objName:  "web-*",
			enforced: []rules.Violation{seccomp},
		},
		{
			name:     "cluster-scoped binding",
			kind:     [2]string{"rbac.authorization.k8s.io", "ClusterRoleBinding"},
			resource: schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"},
			objName:  "admins",
			enforced: []rules.Violation{userSubject},
		},
	}
	var golden goldenMessages
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

			golden.add(tt.name, status.Message)
			assert.Equal(t, metav1.StatusFailure, status.Status)
			assert.Equal(t, int32(http.StatusForbidden), status.Code)
			assert.Equal(t, metav1.StatusReasonForbidden, status.Reason)
			require.NotNil(t, status.Details)
			assert.Equal(t, tt.objName, status.Details.Name)
			assert.Equal(t, tt.resource.Group, status.Details.Group)
			assert.Equal(t, tt.resource.Resource, status.Details.Kind)

			// The object, then one line per violation, the enforced ones first; one cause per enforced violation,
			// for tools, its message the violation's line; dry-run ones do not cause the denial.
			lines := strings.Split(status.Message, "\n")
			require.Len(t, lines, 1+len(tt.enforced)+len(tt.dryRun))
			assert.Contains(t, lines[0], tt.objName)
			for i, v := range append(append([]rules.Violation(nil), tt.enforced...), tt.dryRun...) {
				assertNames(t, lines[1+i], v, true)
			}
			require.Len(t, status.Details.Causes, len(tt.enforced))
			for i, v := range tt.enforced {
				assert.Equal(t, metav1.StatusCause{Type: "FieldValueForbidden", Field: v.Field, Message: lines[1+i]}, status.Details.Causes[i])
			}
		})
	}
	golden.check(t)
}

// A warning is one short line: the rule, the container, the setting and what is wrong with it.
func TestWarning(t *testing.T) {
	tests := []struct {
		name string
		v    rules.Violation
	}{
		{name: "container", v: privileged},
		{name: "pod level", v: seccomp},
		{name: "binding", v: userSubject},
		{
			name: "annotation",
			v: rules.Violation{
				Rule: "apparmor-profile", Container: "web", Problem: "is Unconfined",
				Field: "spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]",
			},
		},
		{name: "a dot inside a key is not a path separator", v: rules.Violation{Rule: "r", Field: "spec.x[a.b]", Problem: "is bad"}},
	}
	var golden goldenMessages
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := judgement.Warning(tt.v)
			assert.True(t, strings.HasPrefix(w, judgement.DryRunPrefix), w)
			assertNames(t, w, tt.v, false)
			if tt.v.Fix != "" {
				assert.NotContains(t, w, tt.v.Fix, "the fix is left to the audit annotation and kubeguard check")
			}
			assert.LessOrEqual(t, len(w), 120, w)
			golden.add(tt.name, w)
		})
	}
	golden.check(t)
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
	assert.True(t, strings.HasPrefix(w, judgement.DryRunPrefix), w)
	assert.Contains(t, w, long.Rule)
	assert.Contains(t, w, long.Container)
}

// An allowed request with dry-run violations carries one short warning per violation, and records the
// rule IDs and the full lines in its audit annotations. A denial records them too, but warns of nothing.
func TestWarningsAndAuditAnnotations(t *testing.T) {
	var golden goldenMessages
	dryRun := []rules.Violation{escalationInit, privileged, escalation}
	warned := judgement.Verdict{Decision: judgement.Warned, Result: judgement.Result{DryRun: dryRun}}
	warnings := warned.Warnings()
	require.Len(t, warnings, len(dryRun))
	for i, v := range dryRun {
		assert.True(t, strings.HasPrefix(warnings[i], judgement.DryRunPrefix), warnings[i])
		assertNames(t, warnings[i], v, false)
	}
	golden.add("warned: warnings", strings.Join(warnings, "\n"))
	annotations := warned.AuditAnnotations()
	assertAuditAnnotations(t, annotations, "privilege-escalation,privileged", dryRun)
	golden.add("warned: "+judgement.AuditMessages, annotations[judgement.AuditMessages])

	denied := judgement.Verdict{Decision: judgement.Denied, Result: judgement.Result{Enforced: []rules.Violation{escalation}, DryRun: []rules.Violation{privileged}}}
	assert.Nil(t, denied.Warnings(), "the denial's message lists the dry-run violations")
	annotations = denied.AuditAnnotations()
	assertAuditAnnotations(t, annotations, "privileged", []rules.Violation{privileged})
	golden.add("denied: "+judgement.AuditMessages, annotations[judgement.AuditMessages])
	allowed := judgement.Verdict{Decision: judgement.Allowed}
	assert.Nil(t, allowed.Warnings())
	assert.Nil(t, allowed.AuditAnnotations())
	golden.check(t)
}

// assertAuditAnnotations checks the dry-run annotations: the distinct rule IDs, and one line per violation,
// marked as dry-run, that names it.
func assertAuditAnnotations(t *testing.T, annotations map[string]string, ruleIDs string, dryRun []rules.Violation) {
	t.Helper()
	require.Len(t, annotations, 2, "%v", annotations)
	assert.Equal(t, ruleIDs, annotations[judgement.AuditViolations])
	lines := strings.Split(annotations[judgement.AuditMessages], "\n")
	require.Len(t, lines, len(dryRun))
	for i, v := range dryRun {
		assert.True(t, strings.HasPrefix(lines[i], judgement.DryRunPrefix), lines[i])
		assertNames(t, lines[i], v, true)
		assert.Contains(t, lines[i], v.Fix, "the full line carries the fix")
	}
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
	var golden goldenMessages
	status := denied.Denial()
	lines := strings.Split(status.Message, "\n")
	require.Len(t, lines, 1+50+1, "the header, 50 violations, and how many more")
	assertNames(t, lines[1], denied.Enforced[0], true)
	assertNames(t, lines[50], denied.DryRun[9], true)
	assert.Contains(t, lines[51], "1490", "how many more")
	assert.Len(t, status.Details.Causes, 40)
	golden.add("denial", status.Message)
	messages := strings.Split(denied.AuditAnnotations()[judgement.AuditMessages], "\n")
	require.Len(t, messages, 50+1, "50 violations, and how many more")
	assertNames(t, messages[49], denied.DryRun[49], true)
	assert.Contains(t, messages[50], "1450", "how many more")
	golden.add("denial: "+judgement.AuditMessages, denied.AuditAnnotations()[judgement.AuditMessages])

	warned := judgement.Verdict{Decision: judgement.Warned, Result: judgement.Result{DryRun: many(1500, "app")}}
	warnings := warned.Warnings()
	require.Len(t, warnings, 20)
	assertNames(t, warnings[18], warned.DryRun[18], false)
	assert.Contains(t, warnings[19], "1481", "how many more")
	golden.add("warnings", strings.Join(warnings, "\n"))
	assert.Len(t, warned.DryRunLines(), 1500, "kubeguard check prints them all")

	exactly := judgement.Verdict{Decision: judgement.Warned, Result: judgement.Result{DryRun: many(20, "app")}}
	warnings = exactly.Warnings()
	require.Len(t, warnings, 20, "20 warnings fit")
	assertNames(t, warnings[19], exactly.DryRun[19], false)
	golden.check(t)

	long := rules.Violation{Rule: "user-subject", Field: "subjects[0]", Problem: "binds User " + strings.Repeat("x", 1<<20), Fix: "bind a Group"}
	assert.Len(t, judgement.Line(long), 1024)
}

// goldenMessages collects the messages a test renders, each under its case's name, and compares them with
// the test's golden file, testdata/messages/<test>.golden: the only place the tests hold the words.
type goldenMessages struct{ b strings.Builder }

func (g *goldenMessages) add(name, message string) {
	fmt.Fprintf(&g.b, "== %s\n%s\n", name, message)
}

func (g *goldenMessages) check(t *testing.T) {
	t.Helper()
	golden := filepath.Join("testdata", "messages", t.Name()+".golden")
	testgolden.Assert(t, golden, g.b.String(), "go test ./judgement -update")
}
