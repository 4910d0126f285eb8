package framework

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The configuration must match kubeguard's contract: the chart installs the same webhooks.
func TestWebhookConfigurationFollowsTheContract(t *testing.T) {
	vwc := WebhookConfiguration(WebhookOptions{BaseURL: "https://127.0.0.1:9443", CABundle: []byte("ca")})
	require.Len(t, vwc.Webhooks, 2)

	tests := []struct {
		name, url string
		operator  metav1.LabelSelectorOperator
		scope     admissionregistrationv1.ScopeType
	}{
		{name: "validate.kubeguard.io", url: "https://127.0.0.1:9443/validate", operator: metav1.LabelSelectorOpNotIn, scope: admissionregistrationv1.AllScopes},
		{name: "validate-dry-run.kubeguard.io", url: "https://127.0.0.1:9443/validate/dry-run", operator: metav1.LabelSelectorOpIn, scope: admissionregistrationv1.NamespacedScope},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := vwc.Webhooks[i]
			assert.Equal(t, tt.name, w.Name)
			require.NotNil(t, w.ClientConfig.URL)
			assert.Equal(t, tt.url, *w.ClientConfig.URL)
			assert.Equal(t, []byte("ca"), w.ClientConfig.CABundle)
			assert.Equal(t, admissionregistrationv1.Fail, *w.FailurePolicy, "default failurePolicy")
			assert.Equal(t, admissionregistrationv1.Equivalent, *w.MatchPolicy)
			assert.Equal(t, admissionregistrationv1.SideEffectClassNone, *w.SideEffects)
			assert.Equal(t, []string{"v1"}, w.AdmissionReviewVersions)
			assert.Equal(t, []metav1.LabelSelectorRequirement{{Key: "kubeguard.io/mode", Operator: tt.operator, Values: []string{"dry-run"}}},
				w.NamespaceSelector.MatchExpressions)

			var resources []string
			for _, r := range w.Rules {
				assert.ElementsMatch(t, []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}, r.Operations)
				assert.Equal(t, tt.scope, *r.Scope)
				resources = append(resources, r.Resources...)
			}
			assert.ElementsMatch(t, []string{"pods", "pods/ephemeralcontainers", "podtemplates", "replicationcontrollers",
				"deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
				"rolebindings", "clusterrolebindings", "poddisruptionbudgets"}, resources)
		})
	}
}

func TestWebhookConfigurationTakesTheFailurePolicy(t *testing.T) {
	vwc := WebhookConfiguration(WebhookOptions{BaseURL: "https://127.0.0.1:9443", FailurePolicy: admissionregistrationv1.Ignore})
	for _, w := range vwc.Webhooks {
		assert.Equal(t, admissionregistrationv1.Ignore, *w.FailurePolicy, w.Name)
	}
}
