package webhook_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-logr/logr/funcr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

// The HTTP side of the admission contract, on the handler the server registers: whatever the body, the
// answer is an AdmissionReview the API server can read.
func TestTransport(t *testing.T) {
	mux := webhook.NewServer(webhook.ServerOptions{Policy: policy.Default()}).WebhookMux()
	req := review(t, admissionv1.Create, newPod("web", privilegedSpec()), nil)
	body := reviewBody(t, req)

	t.Run("answers in the version it was asked in", func(t *testing.T) {
		v1beta1 := bytes.Replace(body, []byte(`"apiVersion":"admission.k8s.io/v1"`), []byte(`"apiVersion":"admission.k8s.io/v1beta1"`), 1)
		require.NotEqual(t, body, v1beta1)
		code, answer := post(t, mux, webhook.ValidatePath, "application/json", v1beta1)
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, "admission.k8s.io/v1beta1", answer.APIVersion)
		assert.Equal(t, "AdmissionReview", answer.Kind)
		require.NotNil(t, answer.Response)
		assert.Equal(t, req.UID, answer.Response.UID)
		assert.False(t, answer.Response.Allowed)
	})
	t.Run("content type with parameters", func(t *testing.T) {
		code, answer := post(t, mux, webhook.ValidatePath, "application/json; charset=utf-8", body)
		assert.Equal(t, http.StatusOK, code)
		require.NotNil(t, answer.Response)
		assert.Equal(t, req.UID, answer.Response.UID)
		assert.False(t, answer.Response.Allowed)
	})

	refusals := []struct {
		name        string
		method      string
		contentType string
		body        []byte
		code        int32
	}{
		{name: "no request", method: http.MethodPost, contentType: "application/json", body: []byte(`{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}`), code: http.StatusBadRequest},
		{name: "not an object", method: http.MethodPost, contentType: "application/json", body: []byte(`[]`), code: http.StatusBadRequest},
		{name: "wrong content type", method: http.MethodPost, contentType: "application/x-www-form-urlencoded", body: body, code: http.StatusBadRequest},
		{name: "too large", method: http.MethodPost, contentType: "application/json", body: oversized(body), code: http.StatusRequestEntityTooLarge},
		{name: "GET", method: http.MethodGet, contentType: "application/json", body: body, code: http.StatusMethodNotAllowed},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, webhook.ValidatePath, bytes.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)

			var answer admissionv1.AdmissionReview
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &answer), "the answer is an AdmissionReview: %s", w.Body.String())
			require.NotNil(t, answer.Response)
			assert.False(t, answer.Response.Allowed)
			require.NotNil(t, answer.Response.Result)
			assert.Equal(t, tt.code, answer.Response.Result.Code)
			assert.NotEmpty(t, answer.Response.Result.Message, "a refusal says why")
		})
	}
}

// oversized pads a review past the largest body kubeguard reads (two objects of the API server's 3 MiB
// limit and then some) with a field it does not know.
func oversized(body []byte) []byte {
	padding := `"padding":"` + strings.Repeat("x", 8<<20) + `",`
	return bytes.Replace(body, []byte(`{`), []byte(`{`+padding), 1)
}

// A panic while judging is a bug, and must not let anything in: the answer refuses the request with its
// UID (an answer without one counts as a failed call, which failurePolicy: Ignore admits), and the panic is
// counted and logged. A handler without a policy panics on the first request it judges.
func TestPanicRefusesWithTheRequestsUID(t *testing.T) {
	reg := prometheus.NewRegistry()
	var logged strings.Builder
	log := funcr.New(func(prefix, args string) { logged.WriteString(args + "\n") }, funcr.Options{})
	h := &webhook.Handler{Metrics: webhook.NewMetrics(reg), Log: log}

	for _, version := range []string{"admission.k8s.io/v1", "admission.k8s.io/v1beta1"} {
		t.Run(version, func(t *testing.T) {
			req := review(t, admissionv1.Create, newPod("web", compliantSpec()), nil)
			body := bytes.Replace(reviewBody(t, req), []byte(`"apiVersion":"admission.k8s.io/v1"`), []byte(`"apiVersion":"`+version+`"`), 1)
			code, answer := post(t, h, webhook.ValidatePath, "application/json", body)

			assert.Equal(t, http.StatusOK, code, "an answer the API server reads, not a failed call")
			assert.Equal(t, version, answer.APIVersion)
			require.NotNil(t, answer.Response)
			assert.Equal(t, req.UID, answer.Response.UID)
			assert.False(t, answer.Response.Allowed)
			require.NotNil(t, answer.Response.Result)
			assert.Equal(t, int32(http.StatusInternalServerError), answer.Response.Result.Code)
			assertGoldenAnswer(t, goldenAnswerPath(t), answer.Response)
			assert.Empty(t, answer.Response.Warnings)
		})
	}
	assert.Equal(t, map[string]float64{"": 2}, samples(t, reg, "kubeguard_admission_panics_total"))
	assert.Contains(t, logged.String(), "panic: runtime error: invalid memory address or nil pointer dereference")
	assert.Contains(t, logged.String(), `"uid"`)
}
