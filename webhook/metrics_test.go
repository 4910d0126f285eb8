package webhook_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/kubeguard/kubeguard/webhook"
	"github.com/kubeguard/kubeguard/webhook/policy"
)

// samples returns, for each series of the metric family name, its value (the sample count for a histogram),
// keyed by its labels as `name=value` pairs in name order.
func samples(t *testing.T, reg prometheus.Gatherer, name string) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			sort.Strings(labels)
			key := strings.Join(labels, ",")
			switch {
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				out[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// Every request is counted once with its decision, every violation once with its rule, mode and kind, and
// every request's duration is observed under its decision.
func TestMetrics(t *testing.T) {
	requests := []admissionv1.AdmissionRequest{
		review(t, admissionv1.Create, newPod("web", compliantSpec()), nil),
		review(t, admissionv1.Create, newPod("web", privilegedSpec()), nil),
		review(t, admissionv1.Create, newDeployment("web", privilegedSpec()), nil, asUser("system:serviceaccount:kube-system:replicaset-controller")),
		review(t, admissionv1.Create, newPod("web", privilegedSpec()), nil, inNamespace("kube-system")),
		unreadableNew(review(t, admissionv1.Create, newPod("web", compliantSpec()), nil)),
		review(t, admissionv1.Delete, nil, newPod("web", privilegedSpec())),
		review(t, admissionv1.Create, newRoleBinding("editors", user("bob@contoso.com"), user("carol@contoso.com")), nil),
	}
	wantRequests := map[string]float64{
		"decision=allowed,kind=Pod,operation=CREATE":        1,
		"decision=denied,kind=Pod,operation=CREATE":         1,
		"decision=warned,kind=Deployment,operation=CREATE":  1,
		"decision=exempt,kind=Pod,operation=CREATE":         1,
		"decision=error,kind=Pod,operation=CREATE":          1,
		"decision=allowed,kind=Pod,operation=DELETE":        1,
		"decision=denied,kind=RoleBinding,operation=CREATE": 1,
	}
	wantViolations := map[string]float64{
		"kind=Pod,mode=enforce,rule=privileged":                  1,
		"kind=Pod,mode=enforce,rule=privilege-escalation":        1,
		"kind=Deployment,mode=dry-run,rule=privileged":           1,
		"kind=Deployment,mode=dry-run,rule=privilege-escalation": 1,
		"kind=RoleBinding,mode=enforce,rule=user-subject":        2,
	}
	wantDurations := map[string]float64{
		"decision=allowed": 2,
		"decision=denied":  2,
		"decision=warned":  1,
		"decision=exempt":  1,
		"decision=error":   1,
	}

	transports := map[string]func(*policy.Policy, *webhook.Metrics, admissionv1.AdmissionRequest){
		"Handle": func(p *policy.Policy, m *webhook.Metrics, req admissionv1.AdmissionRequest) {
			h := &webhook.Handler{Policy: p, Metrics: m}
			h.Handle(context.Background(), admission.Request{AdmissionRequest: req})
		},
		"HTTP": func(p *policy.Policy, m *webhook.Metrics, req admissionv1.AdmissionRequest) {
			mux := webhook.NewServer(webhook.ServerOptions{Policy: p, Metrics: m}).WebhookMux()
			post(t, mux, webhook.ValidatePath, "application/json", reviewBody(t, req))
		},
	}
	for name, send := range transports {
		t.Run(name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m := webhook.NewMetrics(reg)
			p := policy.Default()
			for _, req := range requests {
				send(p, m, req)
			}
			assert.Equal(t, wantRequests, samples(t, reg, "kubeguard_admission_requests_total"))
			assert.Equal(t, wantViolations, samples(t, reg, "kubeguard_violations_total"))
			assert.Equal(t, wantDurations, samples(t, reg, "kubeguard_admission_duration_seconds"))

			families, err := reg.Gather()
			require.NoError(t, err)
			var names []string
			for _, f := range families {
				names = append(names, f.GetName())
			}
			assert.ElementsMatch(t, []string{"kubeguard_admission_requests_total", "kubeguard_violations_total", "kubeguard_admission_duration_seconds"}, names)
		})
	}
}

// Two handlers may share one set of metrics, as the server's two paths do, and metrics are optional.
func TestMetricsOptional(t *testing.T) {
	req := review(t, admissionv1.Create, newPod("web", privilegedSpec()), nil)
	h := &webhook.Handler{Policy: policy.Default()}
	resp := h.Handle(context.Background(), admission.Request{AdmissionRequest: req})
	assert.False(t, resp.Allowed)

	reg := prometheus.NewRegistry()
	m := webhook.NewMetrics(reg)
	for _, allDryRun := range []bool{false, true} {
		h := &webhook.Handler{Policy: policy.Default(), Metrics: m, AllDryRun: allDryRun}
		h.Handle(context.Background(), admission.Request{AdmissionRequest: req})
	}
	assert.Equal(t, map[string]float64{
		"decision=denied,kind=Pod,operation=CREATE": 1,
		"decision=warned,kind=Pod,operation=CREATE": 1,
	}, samples(t, reg, "kubeguard_admission_requests_total"))
	assert.Panics(t, func() { webhook.NewMetrics(reg) }, "metrics register once per registry")
}
