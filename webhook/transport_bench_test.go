package webhook

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/kubeguard/kubeguard/bench/floor"
	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
)

// runtimeHandler puts the same judgement behind controller-runtime's admission.Webhook, which decodes the
// whole review with the API machinery and the objects a second time: the alternative to kubeguard's own
// one-pass reader, kept here only to measure the two side by side (docs/performance.md).
type runtimeHandler struct{ policy *policy.Policy }

func (h runtimeHandler) Handle(_ context.Context, r admission.Request) admission.Response {
	req := judgement.Request{
		Kind:        schema.GroupKind{Group: r.Kind.Group, Kind: r.Kind.Kind},
		SubResource: r.SubResource,
		Operation:   r.Operation,
		Name:        r.Name,
		Namespace:   r.Namespace,
		User:        r.UserInfo.Username,
		Groups:      r.UserInfo.Groups,
	}
	var obj, old objects.Document
	if len(r.Object.Raw) > 0 {
		req.Unreadable = objects.UnmarshalDocument(r.Object.Raw, &obj)
	}
	if req.Unreadable == nil && len(r.OldObject.Raw) > 0 {
		req.Unreadable = objects.UnmarshalDocument(r.OldObject.Raw, &old)
		req.OldObject = &old
	}
	req.Object = &obj
	v := judgement.Judge(h.policy, &req)
	return admission.Response{AdmissionResponse: answer(r.UID, &v)}
}

// BenchmarkTransport measures the same reviews through both transports, from request bytes to response
// bytes, with the same judgement and policy, beside the floor: a handler that only reads the review and
// allows it with its UID, the least any webhook does (bench/floor).
func BenchmarkTransport(b *testing.B) {
	p := policy.Default()
	transports := []struct {
		name    string
		handler http.Handler
	}{
		{"kubeguard", &Handler{Policy: p, Metrics: NewMetrics(prometheus.NewRegistry())}},
		{"controller-runtime", &admission.Webhook{Handler: runtimeHandler{policy: p}, LogConstructor: func(logr.Logger, *admission.Request) logr.Logger { return logr.Discard() }}},
		{"floor", floor.Handler{}},
	}
	for _, name := range []string{"pod-compliant", "pod-noncompliant", "deployment-compliant", "deployment-noncompliant", "rolebinding-noncompliant"} {
		body, err := os.ReadFile(filepath.Join("..", "bench", "webhook", "testdata", name+".json"))
		require.NoError(b, err)
		for _, tr := range transports {
			b.Run(name+"/"+tr.name, func(b *testing.B) {
				reader := bytes.NewReader(body)
				req := httptest.NewRequest(http.MethodPost, ValidatePath, io.NopCloser(reader))
				// Declared, as the API server declares it: kubeguard refuses a body of undeclared length.
				req.ContentLength = int64(len(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				tr.handler.ServeHTTP(rec, req)
				require.Equal(b, http.StatusOK, rec.Code, rec.Body.String())
				require.Contains(b, rec.Body.String(), `"uid"`)

				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				cpuBefore, measured := processCPU()
				for b.Loop() {
					reader.Reset(body)
					tr.handler.ServeHTTP(httptest.NewRecorder(), req)
				}
				// CPU per review, the figure the load test compares; the wall time also counts waiting for a core.
				if cpuAfter, ok := processCPU(); measured && ok {
					b.ReportMetric(float64(cpuAfter-cpuBefore)/float64(b.N), "cpu-ns/op")
				}
			})
		}
	}
}
