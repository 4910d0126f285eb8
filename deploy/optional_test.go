package deploy

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

func kindsOf(ms []manifest) []string {
	var kinds []string
	for _, m := range ms {
		if !slices.Contains(kinds, m.Kind) {
			kinds = append(kinds, m.Kind)
		}
	}
	slices.Sort(kinds)
	return kinds
}

// TestURLModeRendersOnlyWebhookAndConfig checks that with webhook.url nothing that would run or serve
// in the cluster is rendered, whatever else is switched on.
func TestURLModeRendersOnlyWebhookAndConfig(t *testing.T) {
	ms := parseManifests(t, newHelm(t).template(t, []string{valuesFile("url")},
		"--set", "networkPolicy.enabled=true", "--set", "metrics.serviceMonitor.enabled=true"))
	// The namespace-label guard protects the webhooks' namespaceSelector wherever kubeguard runs.
	assert.Equal(t, []string{"ClusterRole", "ConfigMap", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration"}, kindsOf(ms))
	ms = parseManifests(t, newHelm(t).template(t, []string{valuesFile("url")}, "--set", "namespaceLabelGuard.enabled=false"))
	assert.Equal(t, []string{"ConfigMap", "ValidatingWebhookConfiguration"}, kindsOf(ms))
}

// TestPodDisruptionBudget checks when the budget is rendered and that it covers the webhook pods.
func TestPodDisruptionBudget(t *testing.T) {
	tests := []struct {
		name     string
		set      []string
		rendered bool
	}{
		{"two replicas", nil, true},
		{"one replica would block every drain", []string{"--set", "replicaCount=1"}, false},
		{"disabled", []string{"--set", "podDisruptionBudget.enabled=false"}, false},
	}
	h := newHelm(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := parseManifests(t, h.template(t, nil, tt.set...))
			budgets := ofKind(ms, "PodDisruptionBudget")
			if !tt.rendered {
				assert.Empty(t, budgets)
				return
			}
			require.Len(t, budgets, 1)
			var pdb policyv1.PodDisruptionBudget
			decode(t, budgets[0], &pdb)
			var deployment appsv1.Deployment
			decode(t, only(t, ms, "Deployment"), &deployment)
			selector, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
			require.NoError(t, err)
			assert.True(t, selector.Matches(labels.Set(deployment.Spec.Template.Labels)), "the budget does not cover the webhook pods")
			require.NotNil(t, pdb.Spec.MinAvailable)
			assert.Less(t, pdb.Spec.MinAvailable.IntValue(), int(*deployment.Spec.Replicas), "the budget would block every eviction")
		})
	}
}

// TestWebhookNetworkPolicy checks the webhook pods' NetworkPolicy: it selects them, opens only named
// ports the container has, and denies all egress.
func TestWebhookNetworkPolicy(t *testing.T) {
	tests := []struct {
		name      string
		set       []string
		wantPorts []string
	}{
		{"defaults", nil, []string{"webhook", "metrics", "health"}},
		{"no metrics, no probes", []string{"--set", "metrics.enabled=false", "--set", "networkPolicy.allowProbes=false"}, []string{"webhook"}},
	}
	h := newHelm(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := parseManifests(t, h.template(t, nil, append([]string{"--set", "networkPolicy.enabled=true"}, tt.set...)...))
			var policy networkingv1.NetworkPolicy
			decode(t, only(t, ms, "NetworkPolicy"), &policy)
			var deployment appsv1.Deployment
			decode(t, only(t, ms, "Deployment"), &deployment)
			pod := deployment.Spec.Template

			selector, err := metav1.LabelSelectorAsSelector(&policy.Spec.PodSelector)
			require.NoError(t, err)
			assert.True(t, selector.Matches(labels.Set(pod.Labels)), "the policy does not select the webhook pods")
			assert.ElementsMatch(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}, policy.Spec.PolicyTypes)
			assert.Empty(t, policy.Spec.Egress, "kubeguard needs no egress")

			var containerPorts, opened []string
			for _, p := range pod.Spec.Containers[0].Ports {
				containerPorts = append(containerPorts, p.Name)
			}
			for _, rule := range policy.Spec.Ingress {
				for _, p := range rule.Ports {
					assert.Contains(t, containerPorts, p.Port.StrVal)
					opened = append(opened, p.Port.StrVal)
				}
			}
			assert.ElementsMatch(t, tt.wantPorts, opened)
		})
	}
}

// TestInstanceMetadataPolicies checks the per-namespace policies that keep pods from the instance
// metadata service while leaving other egress alone.
func TestInstanceMetadataPolicies(t *testing.T) {
	namespaces := []string{"team-a", "team-b"}
	ms := parseManifests(t, newHelm(t).template(t, nil, "--set", "blockInstanceMetadata.namespaces={team-a,team-b}"))
	policies := ofKind(ms, "NetworkPolicy")
	require.Len(t, policies, len(namespaces))
	for i, m := range policies {
		var policy networkingv1.NetworkPolicy
		decode(t, m, &policy)
		assert.Equal(t, namespaces[i], policy.Namespace)
		assert.Empty(t, policy.Spec.PodSelector.MatchLabels, "the policy must cover every pod")
		assert.Empty(t, policy.Spec.PodSelector.MatchExpressions, "the policy must cover every pod")
		assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, policy.Spec.PolicyTypes)
		require.Len(t, policy.Spec.Egress, 1)
		var blocks []networkingv1.IPBlock
		for _, peer := range policy.Spec.Egress[0].To {
			if peer.IPBlock != nil {
				blocks = append(blocks, *peer.IPBlock)
			}
		}
		assert.Contains(t, blocks, networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"169.254.169.254/32"}})
		assert.Contains(t, blocks, networkingv1.IPBlock{CIDR: "::/0"}, "IPv6 egress must stay open")
		assert.Empty(t, policy.Spec.Egress[0].Ports, "other egress must stay open on every port")
	}
}
