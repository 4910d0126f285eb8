package audit

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubeguard/kubeguard/rules"
)

// MetadataRule is the audit check for a namespace whose pods can reach the instance metadata service,
// which hands out the node's managed identity tokens. Admission cannot prevent it; only NetworkPolicies
// can, so it is audited: in dry-run (warned) unless the configuration enforces it.
const MetadataRule = rules.InstanceMetadataEgressID

// instanceMetadata is the address and port of the Azure instance metadata service.
var instanceMetadata = netip.MustParseAddr("169.254.169.254")

const instanceMetadataPort = 80

// reachesInstanceMetadata reports whether a pod with these labels, in a namespace with these
// NetworkPolicies, may open a TCP connection to the instance metadata service. Kubernetes' semantics: a
// pod is isolated for egress only when a policy with the Egress type selects it; it may then send what
// any rule of any policy selecting it allows.
func reachesInstanceMetadata(podLabels map[string]string, policies []networkingv1.NetworkPolicy) bool {
	isolated := false
	for i := range policies {
		p := &policies[i]
		if !hasEgress(p) || !selects(&p.Spec.PodSelector, podLabels) {
			continue
		}
		isolated = true
		for _, rule := range p.Spec.Egress {
			if allowsPort(rule.Ports) && allowsAddress(rule.To) {
				return true
			}
		}
	}
	return !isolated
}

// hasEgress applies the API's default: without policyTypes, a policy is an Egress policy when it has
// egress rules.
func hasEgress(p *networkingv1.NetworkPolicy) bool {
	if len(p.Spec.PolicyTypes) == 0 {
		return len(p.Spec.Egress) > 0
	}
	for _, t := range p.Spec.PolicyTypes {
		if t == networkingv1.PolicyTypeEgress {
			return true
		}
	}
	return false
}

func selects(selector *metav1.LabelSelector, podLabels map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(selector)
	// A selector the API server stored is valid; one that is not selects nothing rather than guessing.
	return err == nil && s.Matches(labels.Set(podLabels))
}

// allowsPort reports whether a rule's ports let TCP 80 through: no ports means every port. A named port
// names a port of the destination pod, and the metadata service is no pod.
func allowsPort(ports []networkingv1.NetworkPolicyPort) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP {
			continue
		}
		if p.Port == nil {
			return true
		}
		if p.Port.Type != intstr.Int {
			continue
		}
		first, last := p.Port.IntVal, p.Port.IntVal
		if p.EndPort != nil {
			last = *p.EndPort
		}
		if first <= instanceMetadataPort && instanceMetadataPort <= last {
			return true
		}
	}
	return false
}

// allowsAddress reports whether a rule's peers include the metadata address: no peers means every
// destination; pod and namespace selectors name pods, so only an ipBlock can include it.
func allowsAddress(peers []networkingv1.NetworkPolicyPeer) bool {
	if len(peers) == 0 {
		return true
	}
	for _, peer := range peers {
		if peer.IPBlock != nil && blockContains(peer.IPBlock) {
			return true
		}
	}
	return false
}

func blockContains(b *networkingv1.IPBlock) bool {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil || !cidr.Contains(instanceMetadata) {
		return false
	}
	for _, e := range b.Except {
		if except, err := netip.ParsePrefix(e); err == nil && except.Contains(instanceMetadata) {
			return false
		}
	}
	return true
}
