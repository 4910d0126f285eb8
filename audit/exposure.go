package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/rules"
)

// namedExposures bounds how many exposed objects a finding names; the rest are counted.
const namedExposures = 5

// exposure is what in one namespace can reach the instance metadata service.
type exposure struct {
	pods  int
	names []string
	more  int
}

// listNetworkPolicies reads the NetworkPolicies in scope; there are few next to pods, so they are kept.
func (a *auditor) listNetworkPolicies(ctx context.Context, src Source) error {
	resource := schema.GroupResource{Group: "networking.k8s.io", Resource: "networkpolicies"}
	return each(ctx, src, resource, a.opts.Namespace, func(item json.RawMessage) error {
		var p networkingv1.NetworkPolicy
		if err := json.Unmarshal(item, &p); err != nil {
			return fmt.Errorf("reading a NetworkPolicy: %w", err)
		}
		a.networkPolicies[p.Namespace] = append(a.networkPolicies[p.Namespace], p)
		return nil
	})
}

// checkExposure records a pod, or a workload's pod template, that can reach the instance metadata
// service. A pod that a judged workload controls is counted, not named: its workload is named.
func (a *auditor) checkExposure(kind *objects.Kind, m *metadata, controlled bool) {
	ns := m.Metadata.Namespace
	if !reachesInstanceMetadata(m.podLabels(kind), a.networkPolicies[ns]) {
		return
	}
	e, ok := a.exposed[ns]
	if !ok {
		e = &exposure{}
		a.exposed[ns] = e
	}
	if kind.Kind == "Pod" {
		e.pods++
	}
	if controlled {
		return
	}
	if len(e.names) < namedExposures {
		e.names = append(e.names, kind.QualifiedResource().String()+"/"+m.Metadata.Name)
	} else {
		e.more++
	}
}

// addExposures adds a finding per namespace whose pods can reach the instance metadata service.
func (a *auditor) addExposures() {
	namespaces := make([]string, 0, len(a.exposed))
	for ns := range a.exposed {
		namespaces = append(namespaces, ns)
	}
	sort.Strings(namespaces)
	for _, ns := range namespaces {
		e := a.exposed[ns]
		named := strings.Join(e.names, ", ")
		if e.more > 0 {
			named += fmt.Sprintf(" and %d more", e.more)
		}
		v := rules.Violation{
			Rule:    MetadataRule,
			Field:   fmt.Sprintf("egress to %s:%d", instanceMetadata, instanceMetadataPort),
			Problem: named + " can reach the instance metadata service, which hands out the node's managed identity tokens",
			Fix: fmt.Sprintf("add a NetworkPolicy that selects every pod with policyTypes [Egress] and allows egress to 0.0.0.0/0 except %s/32 "+
				"(the chart's blockInstanceMetadata.namespaces), and no policy that allows that address again", instanceMetadata),
		}
		f := findingOf(v)
		f.Namespace, f.Kind, f.Name, f.Decision = ns, "Namespace", ns, a.checkDecision(MetadataRule)
		f.Workloads, f.Pods, f.resource, f.apiVersion = e.names, e.pods, "namespaces", "v1"
		a.report.Findings = append(a.report.Findings, f)
		a.namespace(ns).Rules[MetadataRule]++
	}
}
