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
