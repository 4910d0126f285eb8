package webhook_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

// benchBodies are the AdmissionReviews `make bench` sends over the network, made through a real API server
// (go run ./bench/webhook -update), with kubeguard's verdict on each under the default policy. Measuring the
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
			body, err := os.ReadFile(filepath.Join("..", "bench", "webhook", "testdata", bb.name+".json"))
			require.NoError(b, err)
			reader := bytes.NewReader(body)
			req := httptest.NewRequest(http.MethodPost, webhook.ValidatePath, io.NopCloser(reader))
			// Declared, as the API server declares it: kubeguard refuses a body of undeclared length.
			req.ContentLength = int64(len(body))
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

// BenchmarkHostileRequests measures the worst requests any pod that reaches the port can send, near the
// largest allowed body: what one of them costs in time and memory (B/op).
func BenchmarkHostileRequests(b *testing.B) {
	h := &webhook.Handler{Policy: policy.Default()}
	violating := `{"name":"c","securityContext":{"privileged":true,"runAsUser":0,"seccompProfile":{"type":"Unconfined"}}}`
	var notes strings.Builder
	for i := range 60_000 {
		fmt.Fprintf(&notes, `"example.com/note-%d":"%s",`, i, strings.Repeat("n", 40))
	}
	annotated := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"group":"","version":"v1","kind":"Pod"},` +
		`"operation":"CREATE","namespace":"a","userInfo":{"username":"mallory"},"object":{"metadata":{"name":"web","annotations":{` +
		strings.TrimSuffix(notes.String(), ",") + `}},"spec":{"containers":[{"name":"c"}]}}}}`
	for _, bb := range []struct {
		name string
		body []byte
	}{
		{"two-million-empty-containers", hostileReview(550_000, `{}`)},
		{"2000-violating-containers", hostileReview(500, violating)},
		{"60000-annotations", []byte(annotated)},
	} {
		b.Run(bb.name, func(b *testing.B) {
			require.LessOrEqual(b, len(bb.body), webhook.MaxRequestBytes)
			b.SetBytes(int64(len(bb.body)))
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, webhook.ValidatePath, bytes.NewReader(bb.body))
				r.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK || rec.Body.Len() > 64<<10 {
					b.Fatalf("answer %d of %d bytes", rec.Code, rec.Body.Len())
				}
			}
		})
	}
}
