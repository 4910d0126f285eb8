package webhook_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

// found is a violation as an answer identifies it: the rule, the container (empty for a pod-level field or a
// binding's subject) and the field path from the object's root. The tests compare answers by these, never by
// their wording, which the golden files under testdata/answers show.
type found struct{ rule, container, field string }

// expect is the answer a request must get.
type expect struct {
	allowed bool
	// code is the status code of a refusal: 403 for a denial, 400 for an object kubeguard cannot read.
	code int32
	// resource and name are the denied object as the status details name it: "deployments.apps", "web".
	resource, name string
	// enforced are the violations that deny, in order: the denial's causes and its first lines.
	enforced []found
	// dryRun are the violations reported but not enforced, in order: the audit annotations, and the warnings
	// of an allowed request or the lines after the enforced ones of a denial.
	dryRun []found
	// existing are the violations an update carries over: the audit annotations and warnings.
	existing []found
	// mentions are names any other refusal's message must give, such as the kind it cannot read.
	mentions []string
}

var allowed = expect{allowed: true}

// denied is a 403 for the object, for the enforced violations.
func denied(resource, name string, enforced ...found) expect {
	return expect{code: http.StatusForbidden, resource: resource, name: name, enforced: enforced}
}

// warned is allowed, warning of the dry-run violations and recording them in the audit annotations.
func warned(dryRun ...found) expect {
	return expect{allowed: true, dryRun: dryRun}
}

// withDryRun adds violations reported but not enforced.
func (e expect) withDryRun(dryRun ...found) expect {
	e.dryRun = dryRun
	return e
}

// withExisting adds violations an update carries over.
func (e expect) withExisting(existing ...found) expect {
	e.existing = existing
	return e
}

// namedBy reports whether a line of an answer speaks of f: its rule, its container and, when withField, its field.
func (f found) namedBy(line string, withField bool) bool {
	return strings.Contains(line, f.rule) && strings.Contains(line, f.container) && (!withField || strings.Contains(line, f.field))
}

func assertAnswer(t *testing.T, want expect, got *admissionv1.AdmissionResponse) {
	t.Helper()
	assert.Equal(t, want.allowed, got.Allowed, "allowed")
	if want.allowed {
		if got.Result != nil {
			assert.Equal(t, int32(http.StatusOK), got.Result.Code, "an allowed request carries no error")
		}
	} else if assert.NotNil(t, got.Result, "a refusal says why") {
		assert.Equal(t, want.code, got.Result.Code, "status code")
		for _, m := range want.mentions {
			assert.Contains(t, got.Result.Message, m)
		}
		if want.code == http.StatusForbidden {
			assertDenial(t, want, got.Result)
		}
	}
	assertWarnings(t, want, got.Warnings)
	assertAuditAnnotations(t, want, got.AuditAnnotations)
}

// assertDenial checks the status of a denial: the object, one cause per enforced violation, and a message that
// lists the enforced violations, then the dry-run ones, one a line.
func assertDenial(t *testing.T, want expect, status *metav1.Status) {
	t.Helper()
	assert.Equal(t, metav1.StatusReasonForbidden, status.Reason)
	if !assert.NotNil(t, status.Details) {
		return
	}
	resource, group, _ := strings.Cut(want.resource, ".")
	assert.Equal(t, [3]string{group, resource, want.name}, [3]string{status.Details.Group, status.Details.Kind, status.Details.Name}, "the denied object")
	var fields []string
	for _, f := range want.enforced {
		fields = append(fields, f.field)
	}
	var causes []string
	for i, c := range status.Details.Causes {
		causes = append(causes, c.Field)
		assert.Equal(t, metav1.CauseType(field.ErrorTypeForbidden), c.Type, "cause %d", i)
		if i < len(want.enforced) {
			assert.True(t, want.enforced[i].namedBy(c.Message, true), "cause %d names %+v: %q", i, want.enforced[i], c.Message)
		}
	}
	assert.Equal(t, fields, causes, "causes")

	lines := strings.Split(status.Message, "\n")
	require.Len(t, lines, 1+len(want.enforced)+len(want.dryRun), "the object, then one line per violation: %s", status.Message)
	for i, f := range append(slices.Clone(want.enforced), want.dryRun...) {
		assert.True(t, f.namedBy(lines[1+i], true), "line %d names %+v: %q", 1+i, f, lines[1+i])
	}
	assert.Contains(t, lines[0], want.name, "the message starts with the object")
}

// assertWarnings checks that an allowed request warns of each dry-run, then each carried-over violation, in
// order; a refusal warns of nothing, since its message lists them.
func assertWarnings(t *testing.T, want expect, warnings []string) {
	t.Helper()
	if !want.allowed {
		assert.Empty(t, warnings, "a refusal carries no warnings")
		return
	}
	require.Len(t, warnings, len(want.dryRun)+len(want.existing), "one warning per violation: %q", warnings)
	for i, f := range want.dryRun {
		assert.True(t, strings.HasPrefix(warnings[i], judgement.DryRunPrefix) && f.namedBy(warnings[i], false), "warning %d is of dry-run %+v: %q", i, f, warnings[i])
	}
	for i, f := range want.existing {
		w := warnings[len(want.dryRun)+i]
		assert.True(t, strings.HasPrefix(w, judgement.ExistingPrefix) && f.namedBy(w, false), "warning is of existing %+v: %q", f, w)
	}
}

// assertAuditAnnotations checks that the dry-run and carried-over violations are recorded for the audit log:
// their distinct rule IDs, and one line each that names it.
func assertAuditAnnotations(t *testing.T, want expect, got map[string]string) {
	t.Helper()
	var keys []string
	for key := range got {
		keys = append(keys, key)
	}
	var wantKeys []string
	for _, list := range []struct {
		ids, messages, prefix string
		found                 []found
	}{
		{judgement.AuditViolations, judgement.AuditMessages, judgement.DryRunPrefix, want.dryRun},
		{judgement.AuditExistingViolations, judgement.AuditExistingMessages, judgement.ExistingPrefix, want.existing},
	} {
		if len(list.found) == 0 {
			continue
		}
		wantKeys = append(wantKeys, list.ids, list.messages)
		var ids []string
		for _, f := range list.found {
			if !slices.Contains(ids, f.rule) {
				ids = append(ids, f.rule)
			}
		}
		assert.Equal(t, ids, strings.Split(got[list.ids], ","), "rule IDs in %s", list.ids)
		lines := strings.Split(got[list.messages], "\n")
		if assert.Len(t, lines, len(list.found), "one line per violation in %s", list.messages) {
			for i, f := range list.found {
				assert.True(t, strings.HasPrefix(lines[i], list.prefix) && f.namedBy(lines[i], true), "%s line %d names %+v: %q", list.messages, i, f, lines[i])
			}
		}
	}
	assert.ElementsMatch(t, wantKeys, keys, "audit annotations")
}

// handlerCase is one request and the answer it must get, under a policy (YAML; empty for the defaults) on
// the path that applies the configured modes or, with allDryRun, on the dry-run path.
type handlerCase struct {
	name      string
	config    string
	allDryRun bool
	req       admissionv1.AdmissionRequest
	want      expect
}

// run sends the request through the HTTP handler the server registers, both as it is and as a server-side
// dry run (kubectl --dry-run=server), which must get the same answer. The answer's words are those of its
// golden file under testdata/answers (go test ./webhook -update rewrites them).
func (tt handlerCase) run(t *testing.T) {
	p, err := policy.Parse([]byte(tt.config))
	require.NoError(t, err)
	path := webhook.ValidatePath
	if tt.allDryRun {
		path = webhook.DryRunPath
	}
	mux := webhook.NewServer(webhook.ServerOptions{Policy: p}).WebhookMux()
	golden := goldenAnswerPath(t)

	for _, serverDryRun := range []bool{false, true} {
		req := tt.req
		req.DryRun = new(serverDryRun)
		variant := ""
		if serverDryRun {
			variant = "/server-side dry run"
		}
		t.Run("request"+variant, func(t *testing.T) {
			_, answer := post(t, mux, path, "application/json", reviewBody(t, req))
			require.NotNil(t, answer.Response)
			assert.Equal(t, req.UID, answer.Response.UID, "the request's UID is echoed")
			assertAnswer(t, tt.want, answer.Response)
			assertGoldenAnswer(t, golden, answer.Response)
		})
	}
}
