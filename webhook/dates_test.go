package webhook_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

// The policy's dates are gauges from the start, labelled by what the file names: an alert can fire before
// a rule starts to deny or an exemption runs out.
func TestDateGauges(t *testing.T) {
	p, err := policy.Parse([]byte(`
rules:
  privileged: {enforceAfter: 2027-01-01T00:00:00Z}
  seccomp-profile: {mode: dry-run, enforceAfter: 2027-01-01T00:00:00Z}
dryRunNamespaces: [legacy, {name: payments, until: 2027-02-01T00:00:00Z}]
exemptions:
  users: [{name: ci-bot, until: 2027-03-01T00:00:00Z, reason: pipeline rewrite}]
`))
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	webhook.NewServer(webhook.ServerOptions{Policy: p, Metrics: webhook.NewMetrics(reg)})

	assert.Equal(t, map[string]float64{"rule=privileged": 1798761600}, samples(t, reg, "kubeguard_rule_enforce_after_timestamp_seconds"),
		"only enforced rules with a date")
	assert.Equal(t, map[string]float64{
		"list=dryRunNamespaces,name=payments": 1801440000,
		"list=exemptions.users,name=ci-bot":   1803859200,
	}, samples(t, reg, "kubeguard_exemption_expiry_timestamp_seconds"))
}

// Violations an update carries over are counted under their own mode.
func TestExistingViolationsCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	mux := webhook.NewServer(webhook.ServerOptions{Policy: policy.Default(), Metrics: webhook.NewMetrics(reg)}).WebhookMux()
	old := newDeployment("web", privilegedSpec())
	fixed := newDeployment("web", privilegedSpec())
	fixed.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = new(false)
	post(t, mux, webhook.ValidatePath, "application/json", reviewBody(t, review(t, admissionv1.Update, fixed, old)))
	assert.Equal(t, map[string]float64{"kind=Deployment,mode=existing,rule=privileged": 1}, samples(t, reg, "kubeguard_violations_total"))
}
