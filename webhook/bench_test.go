package webhook_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

// benchBodies are the AdmissionReviews `make bench` sends over the network, made through a real API server
// (go run ./e2e/bench -update), with kubeguard's verdict on each under the default policy. Measuring the
// same bytes here and there lets a change be judged by `go test -bench` before the load test confirms it.
var benchBodies = []struct {
	name    string
	allowed bool
}{
	{"pod-compliant", true},
	{"pod-noncompliant", false},
	{"deployment-compliant", true},
	{"deployment-noncompliant", false},
	{"deployment-scale", true},
	{"rolebinding-compliant", true},
	{"rolebinding-noncompliant", false},
}

// BenchmarkValidate measures the handler registered for /validate, controller-runtime's instrumentation
// included, from request bytes to response bytes: everything a request costs but TLS and HTTP parsing.
func BenchmarkValidate(b *testing.B) {
	mux := webhook.NewServer(webhook.ServerOptions{Policy: policy.Default(), Metrics: webhook.NewMetrics(prometheus.NewRegistry())}).WebhookMux()
	for _, bb := range benchBodies {
		b.Run(bb.name, func(b *testing.B) {
			body, err := os.ReadFile(filepath.Join("..", "e2e", "bench", "testdata", bb.name+".json"))
			require.NoError(b, err)
			reader := bytes.NewReader(body)
			req := httptest.NewRequest(http.MethodPost, webhook.ValidatePath, io.NopCloser(reader))
			req.Header.Set("Content-Type", "application/json")

			// The verdict is checked once, outside the timed loop: a fast wrong answer measures nothing.
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			requireVerdict(b, body, rec, bb.allowed)

			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				reader.Reset(body)
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, req)
			}
		})
	}
}

func requireVerdict(b *testing.B, body []byte, rec *httptest.ResponseRecorder, allowed bool) {
	b.Helper()
	var sent, got struct {
		Request  struct{ UID string }
		Response struct {
			UID     string
			Allowed bool
		}
	}
	require.NoError(b, json.Unmarshal(body, &sent))
	require.Equal(b, http.StatusOK, rec.Code, rec.Body.String())
	require.NoError(b, json.Unmarshal(rec.Body.Bytes(), &got), rec.Body.String())
	require.Equal(b, sent.Request.UID, got.Response.UID)
	require.Equal(b, allowed, got.Response.Allowed, rec.Body.String())
}
