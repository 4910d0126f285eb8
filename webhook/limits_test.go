package webhook_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

// hostileReview is an ephemeral-containers update whose object and old object each list n containers and n
// ephemeral containers of the given JSON (4n in all), the shape that once cost minutes of CPU and gigabytes
// of memory.
func hostileReview(n int, container string) []byte {
	items := strings.TrimSuffix(strings.Repeat(container+",", n), ",")
	pod := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"payments"},"spec":{"containers":[` + items + `],"ephemeralContainers":[` + items + `]}}`
	return []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"0b3f1c4e-hostile",` +
		`"kind":{"group":"","version":"v1","kind":"Pod"},"operation":"UPDATE","subResource":"ephemeralcontainers",` +
		`"name":"web","namespace":"payments","userInfo":{"username":"mallory"},"object":` + pod + `,"oldObject":` + pod + `}}`)
}

// A request that lists more containers than any pod has is refused as unreadable, with its UID, before it
// costs more than its body: the answer stays small.
func TestRequestsOverTheLimitsAreRefused(t *testing.T) {
	h := &webhook.Handler{Policy: policy.Default()}
	tests := []struct {
		name    string
		body    []byte
		refused bool
	}{
		{name: "at the container limit", body: hostileReview(maxContainers/4, `{"name":"c"}`)},
		{name: "one container over", body: hostileReview(maxContainers/4+1, `{"name":"c"}`), refused: true},
		{name: "two million empty containers", body: hostileReview(550_000, `{}`), refused: true},
		{name: "long names", body: hostileReview(70_000, `{"name":"`+strings.Repeat("x", 12)+`"}`), refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.LessOrEqual(t, len(tt.body), webhook.MaxRequestBytes)
			code, answer := post(t, h, webhook.ValidatePath, "application/json", tt.body)
			require.Equal(t, http.StatusOK, code)
			require.NotNil(t, answer.Response)
			assert.Equal(t, "0b3f1c4e-hostile", string(answer.Response.UID))
			if !tt.refused {
				// Judged on its merits (it adds no container), not refused as unreadable.
				assert.True(t, answer.Response.Allowed, "%+v", answer.Response.Result)
				return
			}
			assert.False(t, answer.Response.Allowed)
			require.NotNil(t, answer.Response.Result)
			assert.Equal(t, int32(http.StatusBadRequest), answer.Response.Result.Code)
			assertGoldenAnswer(t, goldenAnswerPath(t), answer.Response)
			assert.Less(t, len(answer.Response.Result.Message), 4096, "the answer does not grow with the request")
		})
	}
}

// maxContainers is the most containers one request may list, its old object's included.
const maxContainers = 2000

// Many violations make a bounded answer: at most 50 lines, however many containers break rules.
func TestManyViolationsMakeABoundedAnswer(t *testing.T) {
	spec := compliantSpec()
	for i := range 1500 {
		spec.Containers = append(spec.Containers, corev1.Container{Name: fmt.Sprintf("c%d", i), Image: "example.com/c:1"})
	}
	_, answer := post(t, &webhook.Handler{Policy: policy.Default()}, webhook.ValidatePath, "application/json",
		reviewBody(t, review(t, admissionv1.Create, newPod("web", spec), nil)))
	require.NotNil(t, answer.Response)
	require.NotNil(t, answer.Response.Result)
	lines := strings.Split(answer.Response.Result.Message, "\n")
	assert.Len(t, lines, 52)
	assert.Len(t, answer.Response.Result.Details.Causes, 50)
	assertGoldenAnswer(t, goldenAnswerPath(t, "validate"), answer.Response)

	_, answer = post(t, &webhook.Handler{Policy: policy.Default(), AllDryRun: true}, webhook.DryRunPath, "application/json",
		reviewBody(t, review(t, admissionv1.Create, newPod("web", spec), nil)))
	require.NotNil(t, answer.Response)
	assert.True(t, answer.Response.Allowed)
	assert.Len(t, answer.Response.Warnings, 20)
	assertGoldenAnswer(t, goldenAnswerPath(t, "dry-run"), answer.Response)
}

// A body declared larger than any review is refused before a byte of it is read.
func TestDeclaredOversizedBodyIsRefusedUnread(t *testing.T) {
	mux := webhook.NewServer(webhook.ServerOptions{Policy: policy.Default()}).WebhookMux()
	r := httptest.NewRequest(http.MethodPost, webhook.ValidatePath, strings.NewReader("{}"))
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = webhook.MaxRequestBytes + 1
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	assert.Contains(t, w.Body.String(), strconv.Itoa(webhook.MaxRequestBytes))
}

// paddedReview is a review of a compliant pod with an annotation of n bytes.
func paddedReview(t *testing.T, n int) []byte {
	t.Helper()
	padded := newPod("web", compliantSpec())
	padded.Annotations = map[string]string{"example.com/notes": strings.Repeat("n", n)}
	return reviewBody(t, review(t, admissionv1.Create, padded, nil))
}

// Large bodies wait for their share of the budget, and are turned away when it does not come before the API
// server's timeout: memory stays bounded however many large bodies arrive at once. Smaller reviews (up to
// 64 KiB, and up to 1 MiB) have budgets of their own, and never wait behind larger ones.
func TestBodyBudget(t *testing.T) {
	small := reviewBody(t, review(t, admissionv1.Create, newPod("web", compliantSpec()), nil))
	medium := paddedReview(t, 100<<10)
	large := paddedReview(t, 2<<20)
	require.Greater(t, len(medium), 64<<10)
	require.Greater(t, len(large), 1<<20)

	tight := webhook.NewServer(webhook.ServerOptions{Policy: policy.Default(), BodyBudget: int64(len(large)) - 1}).WebhookMux()
	r := httptest.NewRequest(http.MethodPost, webhook.ValidatePath+"?timeout=1s", bytes.NewReader(large))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	tight.ServeHTTP(w, r)
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Equal(t, "1", w.Header().Get("Retry-After"))
	assert.Contains(t, w.Body.String(), "busy")

	for name, body := range map[string][]byte{"small": small, "medium": medium} {
		code, answer := post(t, tight, webhook.ValidatePath, "application/json", body)
		assert.Equal(t, http.StatusOK, code, "a %s review does not need the large budget", name)
		require.NotNil(t, answer.Response)
		assert.True(t, answer.Response.Allowed)
	}

	fits := webhook.NewServer(webhook.ServerOptions{Policy: policy.Default(), BodyBudget: int64(len(large))}).WebhookMux()
	for range 3 {
		code, answer := post(t, fits, webhook.ValidatePath, "application/json", large)
		assert.Equal(t, http.StatusOK, code, "the budget comes back after each request")
		require.NotNil(t, answer.Response)
		assert.True(t, answer.Response.Allowed)
	}
}

// The API server always declares a body's length. A body without one (chunked) is refused before it is
// read, so that it cannot hold a budget sized for the largest review.
func TestBodyOfUndeclaredLengthIsRefused(t *testing.T) {
	mux := webhook.NewServer(webhook.ServerOptions{Policy: policy.Default()}).WebhookMux()
	r := httptest.NewRequest(http.MethodPost, webhook.ValidatePath, strings.NewReader("{}"))
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = -1
	r.TransferEncoding = []string{"chunked"}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	assert.Equal(t, http.StatusLengthRequired, w.Code)
	assert.Equal(t, "close", w.Header().Get("Connection"))
	assert.Contains(t, w.Body.String(), "Content-Length")
}
