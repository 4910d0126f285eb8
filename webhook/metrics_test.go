package webhook_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
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
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
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
		// What a client makes up never becomes a label value.
		review(t, admissionv1.Create, newPod("web", privilegedSpec()), nil, func(r *admissionv1.AdmissionRequest) { r.Kind.Kind = "Made-Up-1" }),
		review(t, admissionv1.Create, newPod("web", privilegedSpec()), nil, func(r *admissionv1.AdmissionRequest) { r.Kind.Kind = "Made-Up-2" }),
		review(t, "MADE-UP", newPod("web", compliantSpec()), nil),
	}
	wantRequests := map[string]float64{
		"decision=allowed,kind=Pod,operation=CREATE":        1,
		"decision=denied,kind=Pod,operation=CREATE":         1,
		"decision=warned,kind=Deployment,operation=CREATE":  1,
		"decision=exempt,kind=Pod,operation=CREATE":         1,
		"decision=error,kind=Pod,operation=CREATE":          1,
		"decision=skipped,kind=Pod,operation=DELETE":        1,
		"decision=skipped,kind=other,operation=CREATE":      2,
		"decision=skipped,kind=Pod,operation=other":         1,
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
		"decision=allowed": 1,
		"decision=skipped": 4,
		"decision=denied":  2,
		"decision=warned":  1,
		"decision=exempt":  1,
		"decision=error":   1,
	}

	reg := prometheus.NewRegistry()
	m := webhook.NewMetrics(reg)
	mux := webhook.NewServer(webhook.ServerOptions{Policy: policy.Default(), Metrics: m}).WebhookMux()
	for _, req := range requests {
		post(t, mux, webhook.ValidatePath, "application/json", reviewBody(t, req))
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
	assert.ElementsMatch(t, []string{
		"kubeguard_admission_requests_total", "kubeguard_violations_total", "kubeguard_admission_duration_seconds",
		"kubeguard_admission_panics_total",
	}, names)
}

// Two handlers may share one set of metrics, as the server's two paths do, and metrics are optional.
func TestMetricsOptional(t *testing.T) {
	body := reviewBody(t, review(t, admissionv1.Create, newPod("web", privilegedSpec()), nil))
	_, answer := post(t, &webhook.Handler{Policy: policy.Default()}, webhook.ValidatePath, "application/json", body)
	require.NotNil(t, answer.Response)
	assert.False(t, answer.Response.Allowed)

	reg := prometheus.NewRegistry()
	m := webhook.NewMetrics(reg)
	for _, allDryRun := range []bool{false, true} {
		post(t, &webhook.Handler{Policy: policy.Default(), Metrics: m, AllDryRun: allDryRun}, webhook.ValidatePath, "application/json", body)
	}
	assert.Equal(t, map[string]float64{
		"decision=denied,kind=Pod,operation=CREATE": 1,
		"decision=warned,kind=Pod,operation=CREATE": 1,
	}, samples(t, reg, "kubeguard_admission_requests_total"))
	assert.Panics(t, func() { webhook.NewMetrics(reg) }, "metrics register once per registry")
}
