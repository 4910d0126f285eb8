package webhook

import (
	"github.com/prometheus/client_golang/prometheus"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
)

// otherLabel stands for any kind or operation outside the fixed sets, so that nothing a client sends can
// add a series.
const otherLabel = "other"

// existingLabel is the mode label of the violations an update carries over from the object it replaces.
const existingLabel = "existing"

// Metrics are the Prometheus metrics of the admission path, and the dates of the policy it serves.
type Metrics struct {
	requests   *prometheus.CounterVec
	violations *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	panics     prometheus.Counter
	dates
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kubeguard_admission_requests_total",
			Help: "Admission requests by kind (a judged kind, or other), operation and decision (allowed, warned, denied, exempt, skipped, error).",
		}, []string{"kind", "operation", "decision"}),
		violations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kubeguard_violations_total",
			Help: "Rule violations found, by rule, the mode they were handled in (enforce, dry-run, or existing: carried over by an update) and kind.",
		}, []string{"rule", "mode", "kind"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kubeguard_admission_duration_seconds",
			Help: "Time from receiving a decoded admission request to having its response, by decision.",
			// Most requests take microseconds; the upper buckets show trouble well before the API server's
			// webhook timeout (default 10s, 5s in the chart).
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1},
		}, []string{"decision"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kubeguard_admission_panics_total",
			Help: "Admission requests whose judging panicked; each was refused. Any is a bug.",
		}),
	}
	m.dates = newDates()
	reg.MustRegister(m.requests, m.violations, m.duration, m.panics, m.enforceAfter, m.expiry)
	return m
}

func (m *Metrics) record(op admissionv1.Operation, v *judgement.Verdict, seconds float64) {
	if m == nil {
		return
	}
	kind := otherLabel
	if v.Kind != nil {
		kind = v.Kind.Kind
	}
	decision := string(v.Decision)
	m.requests.WithLabelValues(kind, operationLabel(op), decision).Inc()
	m.duration.WithLabelValues(decision).Observe(seconds)
	for _, x := range v.Enforced {
		m.violations.WithLabelValues(x.Rule, string(policy.Enforce), kind).Inc()
	}
	for _, x := range v.DryRun {
		m.violations.WithLabelValues(x.Rule, string(policy.DryRun), kind).Inc()
	}
	for _, x := range v.Existing {
		m.violations.WithLabelValues(x.Rule, existingLabel, kind).Inc()
	}
}

func (m *Metrics) recordPanic() {
	if m == nil {
		return
	}
	m.panics.Inc()
}

// operationLabel keeps the operation label to the four the API server sends.
func operationLabel(op admissionv1.Operation) string {
	switch op {
	case admissionv1.Create, admissionv1.Update, admissionv1.Delete, admissionv1.Connect:
		return string(op)
	}
	return otherLabel
}
