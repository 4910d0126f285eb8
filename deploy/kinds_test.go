package deploy

import (
	"path"
	"testing"

	"github.com/stretchr/testify/assert"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/kubeguard/kubeguard/objects"
)

// The chart's webhook rules send kubeguard exactly the kinds of its table (objects/kinds.go), with the
// subresources it judges, at the version it decodes: a kind added to the table and not to the chart would
// never be judged in a cluster, and a resource in the chart but not in the table would cost a round trip
// for nothing. The enforcing webhook takes cluster-scoped kinds too; the dry-run webhook, which selects by
// namespace, takes the namespaced ones only.
func TestWebhookRulesFollowTheKindTable(t *testing.T) {
	vwc := webhookConfiguration(t, parseManifests(t, newHelm(t).template(t, []string{valuesFile("default")})))
	want := map[string][]string{"validate.kubeguard.io": nil, "validate-dry-run.kubeguard.io": nil}
	for _, k := range objects.Kinds() {
		for _, r := range k.Resources() {
			key := path.Join(k.Group, k.Version, r)
			want["validate.kubeguard.io"] = append(want["validate.kubeguard.io"], key)
			if k.Namespaced {
				want["validate-dry-run.kubeguard.io"] = append(want["validate-dry-run.kubeguard.io"], key)
			}
		}
	}
	got := map[string][]string{}
	for _, w := range vwc.Webhooks {
		got[w.Name] = reachedResources(t, w)
	}
	for name := range want {
		assert.ElementsMatch(t, want[name], got[name], "webhook %s", name)
	}
	assert.Len(t, got, len(want), "the chart registers the enforcing and the dry-run webhook only")
}

// reachedResources lists group/version/resource for every resource a webhook's rules send for creates and
// updates, leaving out the kinds of the table that a rule's scope keeps away.
func reachedResources(t *testing.T, w admissionregistrationv1.ValidatingWebhook) []string {
	var out []string
	for _, rule := range w.Rules {
		assert.ElementsMatch(t, []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
			rule.Operations, "webhook %s: the rules judge creates and updates", w.Name)
		scope := admissionregistrationv1.AllScopes
		if rule.Scope != nil {
			scope = *rule.Scope
		}
		for _, g := range rule.APIGroups {
			for _, v := range rule.APIVersions {
				for _, r := range rule.Resources {
					if !scopeReaches(scope, g, r) {
						continue
					}
					out = append(out, path.Join(g, v, r))
				}
			}
		}
	}
	return out
}

// scopeReaches reports whether a rule of this scope sends requests for the resource; a resource the table
// does not know counts as reached, so that it shows up as one too many.
func scopeReaches(scope admissionregistrationv1.ScopeType, group, resource string) bool {
	if scope == admissionregistrationv1.AllScopes {
		return true
	}
	for _, k := range objects.Kinds() {
		if k.Group != group {
			continue
		}
		for _, r := range k.Resources() {
			if r == resource {
				return k.Namespaced == (scope == admissionregistrationv1.NamespacedScope)
			}
		}
	}
	return true
}
