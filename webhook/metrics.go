package webhook

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kubeguard/kubeguard/webhook/policy"
)

// Decisions, as recorded in kubeguard_admission_requests_total.
const (
	decisionAllowed = "allowed"
	decisionDenied  = "denied"
	decisionWarned  = "warned"
	decisionExempt  = "exempt"
	decisionError   = "error"
)

// Metrics are the Prometheus metrics of the admission path.
type Metrics struct {
	requests   *prometheus.CounterVec
	violations *prometheus.CounterVec
	duration   *prometheus.HistogramVec
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kubeguard_admission_requests_total",
			Help: "Admission requests by kind, operation and decision (allowed, denied, warned, exempt, error).",
		}, []string{"kind", "operation", "decision"}),
		violations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kubeguard_violations_total",
			Help: "Rule violations found, by rule, the mode they were handled in (enforce, dry-run) and kind.",
		}, []string{"rule", "mode", "kind"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kubeguard_admission_duration_seconds",
			Help: "Time from receiving a decoded admission request to having its response, by decision.",
			// Most requests take microseconds; the upper buckets show trouble well before the API server's
			// webhook timeout (default 10s, 5s in the chart).
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1},
		}, []string{"decision"}),
	}
	reg.MustRegister(m.requests, m.violations, m.duration)
	return m
}

func (m *Metrics) record(kind, operation, decision string, seconds float64, res policy.Result) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(kind, operation, decision).Inc()
	m.duration.WithLabelValues(decision).Observe(seconds)
	for _, v := range res.Enforced {
		m.violations.WithLabelValues(v.Rule, string(policy.Enforce), kind).Inc()
	}
	for _, v := range res.DryRun {
		m.violations.WithLabelValues(v.Rule, string(policy.DryRun), kind).Inc()
	}
}
