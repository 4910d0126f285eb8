package webhook

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kubeguard/kubeguard/policy"
)

// dates are gauges of the policy's dates, so that an alert can fire before a rule starts to deny or an
// exemption runs out. Their labels come from the configuration file only (rule IDs, configured names),
// never from a request, so their series are as few as the file's entries.
type dates struct {
	enforceAfter *prometheus.GaugeVec
	expiry       *prometheus.GaugeVec
}

func newDates() dates {
	return dates{
		enforceAfter: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kubeguard_rule_enforce_after_timestamp_seconds",
			Help: "When an enforced rule starts to deny (Unix time); before it the rule acts as dry-run. Only rules with a date.",
		}, []string{"rule"}),
		expiry: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kubeguard_exemption_expiry_timestamp_seconds",
			Help: "When a time-boxed entry of the configuration stops applying (Unix time), by list (exemptions.namespaces, exemptions.users, exemptions.groups, exemptions.dryRunUsers, dryRunNamespaces) and name.",
		}, []string{"list", "name"}),
	}
}

// recordPolicy sets the gauges from p.
func (m *Metrics) recordPolicy(p *policy.Policy) {
	if m == nil || p == nil {
		return
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.Mode == policy.Enforce && !r.EnforceAfter.IsZero() {
			m.enforceAfter.WithLabelValues(r.ID).Set(float64(r.EnforceAfter.Unix()))
		}
	}
	for _, l := range p.DatedLists() {
		for _, e := range l.Entries {
			if !e.Until.IsZero() {
				m.expiry.WithLabelValues(l.Key, e.Name).Set(float64(e.Until.Unix()))
			}
		}
	}
}
