package webhook_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kubeguard/kubeguard/webhook"
	"github.com/kubeguard/kubeguard/webhook/policy"
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
