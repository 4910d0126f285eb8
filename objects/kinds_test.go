package objects_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/objects"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		gk       schema.GroupKind
		judged   bool
		resource string // as the API server names it in messages
	}{
		{gk: schema.GroupKind{Kind: "Pod"}, judged: true, resource: "pods"},
		{gk: schema.GroupKind{Kind: "PodTemplate"}, judged: true, resource: "podtemplates"},
		{gk: schema.GroupKind{Kind: "ReplicationController"}, judged: true, resource: "replicationcontrollers"},
		{gk: schema.GroupKind{Group: "apps", Kind: "Deployment"}, judged: true, resource: "deployments.apps"},
		{gk: schema.GroupKind{Group: "apps", Kind: "ReplicaSet"}, judged: true, resource: "replicasets.apps"},
		{gk: schema.GroupKind{Group: "apps", Kind: "StatefulSet"}, judged: true, resource: "statefulsets.apps"},
		{gk: schema.GroupKind{Group: "apps", Kind: "DaemonSet"}, judged: true, resource: "daemonsets.apps"},
		{gk: schema.GroupKind{Group: "batch", Kind: "Job"}, judged: true, resource: "jobs.batch"},
		{gk: schema.GroupKind{Group: "batch", Kind: "CronJob"}, judged: true, resource: "cronjobs.batch"},
		{gk: schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}, judged: true, resource: "rolebindings.rbac.authorization.k8s.io"},
		{gk: schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}, judged: true, resource: "clusterrolebindings.rbac.authorization.k8s.io"},
		{gk: schema.GroupKind{Group: "policy", Kind: "PodDisruptionBudget"}, judged: true, resource: "poddisruptionbudgets.policy"},
		{gk: schema.GroupKind{Kind: "ConfigMap"}},
		{gk: schema.GroupKind{Group: "apps", Kind: "ControllerRevision"}},
		{gk: schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}},
		{gk: schema.GroupKind{Kind: "Deployment"}},                     // right name, wrong group
		{gk: schema.GroupKind{Group: "metrics.k8s.io", Kind: "Pod"}},   // right name, wrong group
		{gk: schema.GroupKind{Group: "apps", Kind: "deployment"}},      // kinds are case-sensitive
		{gk: schema.GroupKind{Group: "extensions", Kind: "DaemonSet"}}, // no longer served
	}
	for _, tt := range tests {
		t.Run(tt.gk.String(), func(t *testing.T) {
			kind, judged := objects.Lookup(tt.gk)
			assert.Equal(t, tt.judged, judged)
			if !tt.judged {
				assert.Nil(t, kind)
				return
			}
			require.NotNil(t, kind)
			assert.Equal(t, tt.gk, kind.GroupKind)
			assert.Equal(t, tt.resource, kind.QualifiedResource().String())
		})
	}
}

// Kinds lists every judged kind once, each found again by Lookup, and callers cannot change the table.
func TestKinds(t *testing.T) {
	kinds := objects.Kinds()
	require.Len(t, kinds, 12)
	seen := map[schema.GroupKind]bool{}
	for _, k := range kinds {
		assert.False(t, seen[k.GroupKind], "%s listed twice", k.GroupKind)
		seen[k.GroupKind] = true
		found, ok := objects.Lookup(k.GroupKind)
		require.True(t, ok, k.GroupKind.String())
		assert.Equal(t, k, *found)
	}

	kinds[0].Kind = "Changed"
	kinds[0].Resource = "changed"
	_, ok := objects.Lookup(schema.GroupKind{Kind: "Pod"})
	assert.True(t, ok)
	assert.NotEqual(t, "Changed", objects.Kinds()[0].Kind)
}

// The audit lists every kind once, each workload before the ReplicaSets and Jobs it makes and those before
// the Pods they make, so that what a controller makes is attributed to it as it is met.
func TestAuditOrderPutsControllersFirst(t *testing.T) {
	order := objects.AuditOrder()
	require.Len(t, order, len(objects.Kinds()))
	rank := map[string]int{}
	for i, k := range order {
		_, dup := rank[k.Kind]
		assert.False(t, dup, "%s listed twice", k.Kind)
		rank[k.Kind] = i
	}
	for _, made := range [][2]string{
		{"Deployment", "ReplicaSet"}, {"CronJob", "Job"}, {"ReplicaSet", "Pod"}, {"Job", "Pod"},
		{"StatefulSet", "Pod"}, {"DaemonSet", "Pod"}, {"ReplicationController", "Pod"},
	} {
		assert.Less(t, rank[made[0]], rank[made[1]], "%s before %s", made[0], made[1])
	}
	for _, k := range order {
		if k.Controller {
			assert.Less(t, rank[k.Kind], rank["Pod"], "controller %s before Pod", k.Kind)
		}
	}
}

// Only adding an ephemeral container to a Pod is a judged subresource; status, scale, binding and
// eviction never are, and no other kind's subresource is.
func TestJudgedSubresources(t *testing.T) {
	for _, k := range objects.Kinds() {
		assert.True(t, k.JudgesSubresource(""), "%s itself", k.Kind)
		for _, sub := range []string{"status", "scale", "binding", "eviction"} {
			assert.False(t, k.JudgesSubresource(sub), "%s/%s", k.Kind, sub)
		}
		assert.Equal(t, k.Kind == "Pod", k.JudgesSubresource("ephemeralcontainers"), k.Kind)
	}
	pod, _ := objects.Lookup(schema.GroupKind{Kind: "Pod"})
	assert.Equal(t, []string{"pods", "pods/ephemeralcontainers"}, pod.Resources())
	crb, _ := objects.Lookup(schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"})
	assert.False(t, crb.Namespaced)
}
