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

// TestWebhookNetworkPolicy checks the webhook pods' NetworkPolicy, rendered by default: it selects them,
// opens only named ports the container has, and denies all egress.
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
			ms := parseManifests(t, h.template(t, nil, tt.set...))
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

// TestNetworkPolicyPeers checks who may reach each port by default: anyone the webhook port (no selector
// matches the API server on every AKS cluster), only the monitoring and kube-system namespaces the metrics
// port; and that the chart's values change them, or leave the policy out.
func TestNetworkPolicyPeers(t *testing.T) {
	monitoring := []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: []string{"monitoring", "kube-system"}},
	}}}}
	prometheus := []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "prometheus"}}}}
	tests := []struct {
		name                     string
		set                      []string
		wantWebhook, wantMetrics []networkingv1.NetworkPolicyPeer
	}{
		{"defaults", nil, nil, monitoring},
		{"metrics from another namespace", []string{"--set", "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=prometheus"}, nil, prometheus},
		{"metrics from anywhere", []string{"--set", "networkPolicy.metricsFrom=null"}, nil, nil},
		{"webhook from the API server's subnet", []string{"--set", "networkPolicy.webhookFrom[0].ipBlock.cidr=10.225.0.0/28"}, []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.225.0.0/28"}}}, monitoring},
	}
	h := newHelm(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var policy networkingv1.NetworkPolicy
			decode(t, only(t, parseManifests(t, h.template(t, nil, tt.set...)), "NetworkPolicy"), &policy)
			from := map[string][]networkingv1.NetworkPolicyPeer{}
			for _, rule := range policy.Spec.Ingress {
				require.Len(t, rule.Ports, 1)
				from[rule.Ports[0].Port.StrVal] = rule.From
			}
			assert.Equal(t, tt.wantWebhook, from["webhook"])
			assert.Equal(t, tt.wantMetrics, from["metrics"])
			assert.Nil(t, from["health"], "the kubelet's probes come from the node")
		})
	}
	ms := parseManifests(t, h.template(t, nil, "--set", "networkPolicy.enabled=false"))
	assert.Empty(t, ofKind(ms, "NetworkPolicy"))
}

// TestMemoryLimitFromTheDownwardAPI checks that kubeguard is told its container's memory limit, in bytes
// (no divisor), through an environment variable its --memory-limit argument names; and nothing when the
// container has no limit.
func TestMemoryLimitFromTheDownwardAPI(t *testing.T) {
	h := newHelm(t)
	var deployment appsv1.Deployment
	decode(t, only(t, parseManifests(t, h.template(t, nil)), "Deployment"), &deployment)
	c := deployment.Spec.Template.Spec.Containers[0]
	i := slices.Index(c.Args, "--memory-limit")
	require.GreaterOrEqual(t, i, 0, "%v", c.Args)
	require.Less(t, i+1, len(c.Args))
	require.Len(t, c.Env, 1)
	assert.Equal(t, "$("+c.Env[0].Name+")", c.Args[i+1])
	ref := c.Env[0].ValueFrom.ResourceFieldRef
	require.NotNil(t, ref)
	assert.Equal(t, c.Name, ref.ContainerName)
	assert.Equal(t, "limits.memory", ref.Resource)
	assert.True(t, ref.Divisor.IsZero() || ref.Divisor.Value() == 1, "bytes: %s", ref.Divisor.String())

	var unlimited appsv1.Deployment
	decode(t, only(t, parseManifests(t, h.template(t, nil, "--set", "resources.limits=null")), "Deployment"), &unlimited)
	c = unlimited.Spec.Template.Spec.Containers[0]
	assert.NotContains(t, c.Args, "--memory-limit")
	assert.Empty(t, c.Env)
}

// TestInstanceMetadataPolicies checks the per-namespace policies that keep pods from the instance
// metadata service while leaving other egress alone.
func TestInstanceMetadataPolicies(t *testing.T) {
	namespaces := []string{"team-a", "team-b"}
	ms := parseManifests(t, newHelm(t).template(t, nil, "--set", "blockInstanceMetadata.namespaces={team-a,team-b}", "--set", "networkPolicy.enabled=false"))
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
