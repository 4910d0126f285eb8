package audit

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
)

// countingSource counts the listings of each resource (first pages) a run asks for.
type countingSource struct {
	memorySource
	listings map[schema.GroupResource]int
}

func (s *countingSource) List(ctx context.Context, resource schema.GroupResource, namespace, token string) (*Page, error) {
	if token == "" {
		s.listings[resource]++
	}
	return s.memorySource.List(ctx, resource, namespace, token)
}

// blockedShop is shop with a budget that blocks the drain, a bare running pod breaking a rule, and a
// RoleBinding.
func blockedShop() memorySource {
	src := shop(pdb("web", "web", `"minAvailable":2`, ""))
	src[pods] = append(src[pods], `{"metadata":{"name":"debug","namespace":"shop","labels":{"app":"debug"}},"spec":{"nodeName":"node-a","containers":[{"name":"c","securityContext":{"privileged":true}}]},"status":{"phase":"Running"}}`)
	src[schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "rolebindings"}] = []string{
		`{"metadata":{"name":"b","namespace":"shop"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"User","name":"alice"}]}`,
	}
	return src
}

func rulesOf(r *Report) map[string]int {
	out := map[string]int{}
	for _, f := range r.Findings {
		out[f.Rule]++
	}
	return out
}

// A plain audit reports the rule findings and the upgrade findings from one listing of each kind;
// --upgrade lists only what the upgrade checks read.
func TestFullAuditListsEachKindOnce(t *testing.T) {
	src := &countingSource{memorySource: blockedShop(), listings: map[schema.GroupResource]int{}}
	r, err := Run(t.Context(), src, policy.Default(), Options{APIServer: fakeAPIServer{version: "v1.36.0", metrics: deprecatedMetrics}})
	require.NoError(t, err)
	for resource, n := range src.listings {
		assert.Equal(t, 1, n, "%s listed %d times", resource, n)
	}
	assert.Contains(t, src.listings, hpas)
	got := rulesOf(r)
	for _, id := range []string{"privileged", "user-subject", "instance-metadata-egress", "drain-blocked", "unmanaged-pod", "removed-api-in-use"} {
		assert.Positive(t, got[id], "%s in the full audit: %v", id, got)
	}

	src = &countingSource{memorySource: blockedShop(), listings: map[schema.GroupResource]int{}}
	r, err = RunUpgrade(t.Context(), src, fakeAPIServer{version: "v1.36.0", metrics: deprecatedMetrics}, policy.Default(), UpgradeOptions{})
	require.NoError(t, err)
	var listed []string
	for resource, n := range src.listings {
		assert.Equal(t, 1, n, "%s listed %d times", resource, n)
		listed = append(listed, resource.String())
	}
	assert.ElementsMatch(t, []string{"namespaces", "horizontalpodautoscalers.autoscaling", "deployments.apps", "statefulsets.apps", "daemonsets.apps",
		"replicationcontrollers", "jobs.batch", "replicasets.apps", "pods", "poddisruptionbudgets.policy"}, listed)
	assert.Equal(t, map[string]int{"drain-blocked": 1, "unmanaged-pod": 1, "removed-api-in-use": 2}, rulesOf(r))
	assert.True(t, r.UpgradeOnly)
}

// Audit checks take their modes from the configuration like rules: enforce denies, dry-run warns, off
// leaves them out, an enforcement date still to come warns.
func TestAuditCheckModes(t *testing.T) {
	server := fakeAPIServer{version: "v1.36.0", metrics: deprecatedMetrics}
	tests := []struct {
		name, config string
		want         map[string]judgement.Decision
	}{
		{name: "defaults", want: map[string]judgement.Decision{
			"instance-metadata-egress": judgement.Warned, "drain-blocked": judgement.Denied, "unmanaged-pod": judgement.Warned, "removed-api-in-use": judgement.Denied,
		}},
		{name: "every check changed", config: `
rules:
  instance-metadata-egress: {mode: enforce}
  drain-blocked: {mode: dry-run}
  unmanaged-pod: {mode: enforce, enforceAfter: "2999-01-01T00:00:00Z"}
  removed-api-in-use: {mode: "off"}
`, want: map[string]judgement.Decision{
			"instance-metadata-egress": judgement.Denied, "drain-blocked": judgement.Warned, "unmanaged-pod": judgement.Warned,
		}},
		{name: "the global mode sets the rules only", config: "mode: dry-run\n", want: map[string]judgement.Decision{
			"instance-metadata-egress": judgement.Warned, "drain-blocked": judgement.Denied, "unmanaged-pod": judgement.Warned, "removed-api-in-use": judgement.Denied,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.config))
			require.NoError(t, err)
			r, err := Run(t.Context(), blockedShop(), p, Options{APIServer: server})
			require.NoError(t, err)
			got := map[string]judgement.Decision{}
			for _, f := range r.Findings {
				if p.Check(f.Rule) != nil {
					got[f.Rule] = f.Decision
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}

	_, err := policy.Parse([]byte("rules:\n  drain-blockd: {mode: off}\n"))
	assert.ErrorContains(t, err, `line 2: unknown rule "drain-blockd"`)
	_, err = policy.Parse([]byte("rules:\n  drain-blocked: {minAvailable: 1}\n"))
	assert.ErrorContains(t, err, `rule "drain-blocked" has no setting "minAvailable"`)
}

// An object counts once in its namespace's tally, whatever the number of its findings: a pod the rules
// deny and unmanaged-pod warns about is one object denied.
func TestUpgradeFindingsCountEachObjectOnce(t *testing.T) {
	r, err := Run(t.Context(), blockedShop(), policy.Default(), Options{})
	require.NoError(t, err)
	var shopTally *Namespace
	for _, ns := range r.Namespaces {
		if ns.Name == "shop" {
			shopTally = ns
		}
	}
	require.NotNil(t, shopTally)
	// Judged: Deployment web, Pod debug, RoleBinding b, the budget web. Denied: debug (privileged),
	// b (user-subject), the budget (drain-blocked). Nothing only warned.
	assert.Equal(t, []int{4, 3, 0}, []int{shopTally.Judged, shopTally.Denied, shopTally.Warned}, fmt.Sprint(findingsOf(r)))
}

// An enforced instance-metadata-egress fails the audit on its own, although a namespace is no object the
// tally counts.
func TestEnforcedMetadataEgressFailsTheAudit(t *testing.T) {
	src := memorySource{
		namespaceRes: {`{"metadata":{"name":"shop"}}`},
		deployments:  {deployment("web", 2)},
	}
	r, err := Run(t.Context(), src, policy.Default(), Options{})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"instance-metadata-egress": 1}, rulesOf(r))
	assert.False(t, r.Denied(), "dry-run by default")

	p, err := policy.Parse([]byte("rules:\n  instance-metadata-egress: {mode: enforce}\n"))
	require.NoError(t, err)
	r, err = Run(t.Context(), src, p, Options{})
	require.NoError(t, err)
	assert.True(t, r.Denied())
}
