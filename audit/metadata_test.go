package audit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

func TestReachesInstanceMetadata(t *testing.T) {
	web := map[string]string{"app": "web"}
	tests := []struct {
		name     string
		policies string
		labels   map[string]string
		want     bool
	}{
		{name: "no policy", want: true},
		{name: "default-deny egress", want: false, policies: `
- spec: {podSelector: {}, policyTypes: [Egress]}`},
		{name: "ingress-only policy leaves egress open", want: true, policies: `
- spec: {podSelector: {}, policyTypes: [Ingress]}`},
		{name: "egress rules without policyTypes isolate", want: false, policies: `
- spec: {podSelector: {}, egress: [{ports: [{port: 53, protocol: UDP}]}]}`},
		{name: "allow-all egress", want: true, policies: `
- spec: {podSelector: {}, policyTypes: [Egress], egress: [{}]}`},
		{name: "0.0.0.0/0 except the metadata address", want: false, policies: `
- spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]}`},
		{name: "the chart's policy", want: false, policies: `
- spec:
    podSelector: {}
    policyTypes: [Egress]
    egress:
      - to:
          - ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}
          - ipBlock: {cidr: "::/0"}
          - namespaceSelector: {}`},
		{name: "the chart's policy undone by an allow-all", want: true, policies: `
- spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]}
- spec: {podSelector: {}, policyTypes: [Egress], egress: [{}]}`},
		{name: "only port 53", want: false, policies: `
- spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}]}`},
		{name: "a port range through 80", want: true, policies: `
- spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 1, endPort: 1024}]}]}`},
		{name: "a named port", want: false, policies: `
- spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: http}]}]}`},
		{name: "UDP 80 only", want: false, policies: `
- spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 80, protocol: UDP}]}]}`},
		{name: "pod selectors only", want: false, policies: `
- spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{podSelector: {}}, {namespaceSelector: {}}]}]}`},
		{name: "a policy for other pods", labels: web, want: true, policies: `
- spec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Egress]}`},
		{name: "a policy for these pods", labels: web, want: false, policies: `
- spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}`},
		{name: "a block that holds the address", want: true, policies: `
- spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 169.254.0.0/16}}], ports: [{port: 80}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var policies []networkingv1.NetworkPolicy
			assert.NoError(t, yaml.Unmarshal([]byte(tt.policies), &policies))
			assert.Equal(t, tt.want, reachesInstanceMetadata(tt.labels, policies))
		})
	}
}
