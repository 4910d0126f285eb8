package webhook_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

// fuzzConfig mixes every mode and exemption kind, so that arbitrary requests reach every branch.
const fuzzConfig = `
rules:
  seccomp-profile: {mode: dry-run}
  apparmor-profile: {mode: off}
exemptions:
  namespaces: [kube-system]
  users: ["exempt-*"]
  groups: [platform-admins]
`

// fuzzSeeds are real AdmissionReviews of several kinds and verdicts, and damaged ones.
func fuzzSeeds(f *testing.F) [][]byte {
	debugged := newPod("web", privilegedSpec())
	debugged.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger"}}}
	requests := []admissionv1.AdmissionRequest{
		review(f, admissionv1.Create, newPod("web", compliantSpec()), nil),
		review(f, admissionv1.Create, newPod("web", privilegedSpec()), nil),
		review(f, admissionv1.Update, newDeployment("web", privilegedSpec()), newDeployment("web", compliantSpec())),
		review(f, admissionv1.Update, newDeployment("web", privilegedSpec()), newDeployment("web", privilegedSpec())),
		review(f, admissionv1.Update, debugged, newPod("web", privilegedSpec()), subResource("ephemeralcontainers")),
		review(f, admissionv1.Delete, nil, newPod("web", privilegedSpec())),
		review(f, admissionv1.Create, newRoleBinding("editors", user("bob@contoso.com"), group("devs")), nil),
		review(f, admissionv1.Create, newClusterRoleBinding("admins", user("system:kube-scheduler")), nil),
		review(f, admissionv1.Create, newPod("web", privilegedSpec()), nil, asUser("system:serviceaccount:kube-system:replicaset-controller")),
		review(f, admissionv1.Create, newPod("web", privilegedSpec()), nil, asUser("exempt-bot")),
	}
	for _, k := range podKinds {
		requests = append(requests, review(f, admissionv1.Create, k.build("web", privilegedSpec()), nil))
	}
	var seeds [][]byte
	for _, req := range requests {
		body := reviewBody(f, req)
		seeds = append(seeds, body, body[:len(body)/2], body[:len(body)-1])
	}
	return append(seeds,
		nil,
		[]byte(`{}`),
		[]byte(`null`),
		[]byte(`{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"1","kind":{"kind":"Pod"},"operation":"CREATE","object":{"spec":{"containers":[{"name":"a"}]}}}}`),
		[]byte(`{"request":{"uid":"1","kind":{"kind":"Pod\ud800"},"operation":"CREATE\udfff","object":{}}}`),
		[]byte("{\"request\":{\"uid\":\"\xff\",\"kind\":{\"kind\":\"Pod\xfe\"},\"operation\":\"UPDATE\xff\",\"object\":{}}}"),
		[]byte(`{"request":{"uid":"1","kind":{"kind":"Pod"},"operation":"UPDATE","subResource":"ephemeralcontainers","object":{"spec":{"ephemeralContainers":[{"name":"x"}]}},"oldObject":{"spec":{"ephemeralContainers":"x"}}}}`),
		[]byte(`{"request":{"uid":"1","kind":{"group":"rbac.authorization.k8s.io","kind":"RoleBinding"},"operation":"CREATE","object":{"subjects":[{"kind":"User","name":"a"},{"kind":"User","name":"a"}]}}}`),
	)
}

// FuzzHandler feeds arbitrary bodies to the HTTP handler the server registers: go test -fuzz=FuzzHandler
// ./webhook. Whatever arrives, kubeguard must not panic and must answer with an AdmissionReview that either
// allows or refuses with 400 (unreadable), 403 (denied) or 413 (too large). The seeds are whole reviews of
// several KiB, which the fuzzer would spend up to a minute each minimizing whenever one of them grows the
// coverage; -fuzzminimizetime=500x keeps that time for fuzzing.
func FuzzHandler(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	p, err := policy.Parse([]byte(fuzzConfig))
	require.NoError(f, err)
	mux := webhook.NewServer(webhook.ServerOptions{Policy: p, Metrics: webhook.NewMetrics(prometheus.NewRegistry())}).WebhookMux()

	f.Fuzz(func(t *testing.T, body []byte, dryRunPath bool) {
		path := webhook.ValidatePath
		if dryRunPath {
			path = webhook.DryRunPath
		}
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)

		var answer admissionv1.AdmissionReview
		if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil {
			t.Fatalf("the answer is not JSON (%v): %q", err, w.Body.String())
		}
		if answer.Kind != "AdmissionReview" || answer.Response == nil {
			t.Fatalf("the answer is not an AdmissionReview with a response: %q", w.Body.String())
		}
		resp := answer.Response
		if resp.Allowed {
			if resp.Result != nil && resp.Result.Code != http.StatusOK {
				t.Fatalf("allowed with status %d: %q", resp.Result.Code, w.Body.String())
			}
			for _, warning := range resp.Warnings {
				if !strings.HasPrefix(warning, judgement.DryRunPrefix) {
					t.Fatalf("warning without the dry-run prefix: %q", warning)
				}
			}
			return
		}
		if resp.Result == nil {
			t.Fatalf("refused without a status: %q", w.Body.String())
		}
		if !slices.Contains([]int32{http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge}, resp.Result.Code) {
			t.Fatalf("refused with status %d: %q", resp.Result.Code, w.Body.String())
		}
		if resp.Result.Message == "" {
			t.Fatalf("refused without a message: %q", w.Body.String())
		}
		if resp.Result.Code == http.StatusForbidden {
			if dryRunPath {
				t.Fatalf("the dry-run path denied: %q", w.Body.String())
			}
			if len(resp.Warnings) > 0 {
				t.Fatalf("a denial with warnings: %q", w.Body.String())
			}
			if resp.Result.Details == nil || len(resp.Result.Details.Causes) == 0 {
				t.Fatalf("a denial without causes: %q", w.Body.String())
			}
		}
	})
}
