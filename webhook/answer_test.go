package webhook_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

// expect is the answer a request must get.
type expect struct {
	allowed bool
	// code is the status code of a refusal: 403 for a denial, 400 for an object kubeguard cannot read.
	code int32
	// message is the exact message of a denial; mentions are parts of any other refusal's message.
	message  string
	mentions []string
	// causes are the fields of the denial's Details.Causes, in order.
	causes []string
	// warnings are the warnings of an allowed request, in order.
	warnings []string
	// audit are the audit annotations; nil for none.
	audit map[string]string
}

var allowed = expect{allowed: true}

// denied is a 403 with the message lines after the object's name.
func denied(object string, n int, lines []string, causes ...string) expect {
	rulesWord := "rules"
	if n == 1 {
		rulesWord = "rule"
	}
	header := object + " is forbidden: violates " + strconv.Itoa(n) + " kubeguard " + rulesWord + ":"
	return expect{code: http.StatusForbidden, message: strings.Join(append([]string{header}, lines...), "\n"), causes: causes}
}

// warned is allowed with the short warnings, and the audit annotations: the rule IDs, and the full lines
// marked as dry-run.
func warned(ruleIDs string, lines []string, warnings ...string) expect {
	marked := make([]string, len(lines))
	for i, l := range lines {
		marked[i] = "[dry-run] " + l
	}
	return expect{allowed: true, warnings: warnings, audit: map[string]string{
		"dry-run-violations": ruleIDs,
		"dry-run-messages":   strings.Join(marked, "\n"),
	}}
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
		if want.message != "" {
			assert.Equal(t, want.message, got.Result.Message)
		}
		for _, m := range want.mentions {
			assert.Contains(t, got.Result.Message, m)
		}
		if want.code == http.StatusForbidden {
			assert.Equal(t, metav1.StatusReasonForbidden, got.Result.Reason)
			if assert.NotNil(t, got.Result.Details) {
				var fields []string
				for _, c := range got.Result.Details.Causes {
					fields = append(fields, c.Field)
				}
				assert.Equal(t, want.causes, fields, "causes")
			}
		}
	}
	if len(want.warnings) == 0 {
		assert.Empty(t, got.Warnings, "warnings")
	} else {
		assert.Equal(t, want.warnings, got.Warnings, "warnings")
	}
	if want.audit == nil {
		assert.Empty(t, got.AuditAnnotations, "audit annotations")
	} else {
		assert.Equal(t, want.audit, got.AuditAnnotations, "audit annotations")
	}
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
// dry run (kubectl --dry-run=server), which must get the same answer.
func (tt handlerCase) run(t *testing.T) {
	p, err := policy.Parse([]byte(tt.config))
	require.NoError(t, err)
	path := webhook.ValidatePath
	if tt.allDryRun {
		path = webhook.DryRunPath
	}
	mux := webhook.NewServer(webhook.ServerOptions{Policy: p}).WebhookMux()

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
		})
	}
}
