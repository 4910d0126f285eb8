package objects

import (
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Kind is one kind of object kubeguard judges: one row of the table below, which decoding (where the rules'
// view sits), judging (which subresources count), the audit (what to list, in which order) and the chart's
// webhook rules (deploy/ checks them against this table) all read.
type Kind struct {
	schema.GroupKind
	// Version is the served version the audit lists and the webhook registers for; other versions reach the
	// webhook converted to it (matchPolicy: Equivalent).
	Version string
	// Resource is the plural resource name, used to name objects in messages as the API server does.
	Resource string
	// Namespaced is false for cluster-scoped kinds, which a namespaced audit skips and which the dry-run
	// webhook, selecting by namespace, cannot take.
	Namespaced bool
	// Subresources are the subresources whose requests change what the rules judge (adding an ephemeral
	// container); every other subresource (status, scale, binding, eviction) is never blocked.
	Subresources []string
	// Controller is true for kinds that create pods, or the ReplicaSets and Jobs that do: the audit
	// attributes what they create to them.
	Controller bool
	// AuditRank orders the audit's listing so that every controller comes before what it controls: a
	// workload is judged before its Jobs or ReplicaSets, which are judged before their pods.
	AuditRank int
	// shape says where the pod spec (or the subjects, or the budget) sits in the object.
	shape shape
}

// shape is the layout of a kind's JSON, as far as the rules are concerned.
type shape int

const (
	podAtRoot         shape = iota // Pod
	templateAtRoot                 // PodTemplate: template
	templateInSpec                 // Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController, Job: spec.template
	templateInJobSpec              // CronJob: spec.jobTemplate.spec.template
	bindingSubjects                // RoleBinding, ClusterRoleBinding: subjects
	disruptionBudget               // PodDisruptionBudget: spec.minAvailable, spec.maxUnavailable
)

// templatePath is where each shape keeps its pod template; nil for a Pod, whose fields sit at the root.
func (s shape) templatePath() *field.Path {
	switch s {
	case templateAtRoot:
		return field.NewPath("template")
	case templateInSpec:
		return field.NewPath("spec", "template")
	case templateInJobSpec:
		return field.NewPath("spec", "jobTemplate", "spec", "template")
	}
	return nil
}

// kinds are matched by group and kind, not version: every served version of these kinds keeps the pod
// template at the same place, and the webhook asks for matchPolicy: Equivalent.
var kinds = []Kind{
	{GroupKind: gk("", "Pod"), Version: "v1", Resource: "pods", Namespaced: true, Subresources: []string{"ephemeralcontainers"}, AuditRank: 8, shape: podAtRoot},
	{GroupKind: gk("", "PodTemplate"), Version: "v1", Resource: "podtemplates", Namespaced: true, AuditRank: 7, shape: templateAtRoot},
	{GroupKind: gk("", "ReplicationController"), Version: "v1", Resource: "replicationcontrollers", Namespaced: true, Controller: true, AuditRank: 4, shape: templateInSpec},
	{GroupKind: gk("apps", "Deployment"), Version: "v1", Resource: "deployments", Namespaced: true, Controller: true, AuditRank: 0, shape: templateInSpec},
	{GroupKind: gk("apps", "ReplicaSet"), Version: "v1", Resource: "replicasets", Namespaced: true, Controller: true, AuditRank: 6, shape: templateInSpec},
	{GroupKind: gk("apps", "StatefulSet"), Version: "v1", Resource: "statefulsets", Namespaced: true, Controller: true, AuditRank: 1, shape: templateInSpec},
	{GroupKind: gk("apps", "DaemonSet"), Version: "v1", Resource: "daemonsets", Namespaced: true, Controller: true, AuditRank: 2, shape: templateInSpec},
	{GroupKind: gk("batch", "Job"), Version: "v1", Resource: "jobs", Namespaced: true, Controller: true, AuditRank: 5, shape: templateInSpec},
	{GroupKind: gk("batch", "CronJob"), Version: "v1", Resource: "cronjobs", Namespaced: true, Controller: true, AuditRank: 3, shape: templateInJobSpec},
	{GroupKind: gk("rbac.authorization.k8s.io", "RoleBinding"), Version: "v1", Resource: "rolebindings", Namespaced: true, AuditRank: 9, shape: bindingSubjects},
	{GroupKind: gk("rbac.authorization.k8s.io", "ClusterRoleBinding"), Version: "v1", Resource: "clusterrolebindings", AuditRank: 10, shape: bindingSubjects},
	{GroupKind: gk("policy", "PodDisruptionBudget"), Version: "v1", Resource: "poddisruptionbudgets", Namespaced: true, AuditRank: 11, shape: disruptionBudget},
}

func gk(group, kind string) schema.GroupKind { return schema.GroupKind{Group: group, Kind: kind} }

// Lookup returns the kind with this group and kind name, and false for a kind kubeguard does not judge.
func Lookup(gk schema.GroupKind) (*Kind, bool) {
	for i := range kinds {
		if kinds[i].GroupKind == gk {
			return &kinds[i], true
		}
	}
	return nil, false
}

// Kinds returns every kind kubeguard judges, in the table's order (the order `kubeguard rules` names them).
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		out[i] = k
		out[i].Subresources = slices.Clone(k.Subresources)
	}
	return out
}

// AuditOrder returns every kind kubeguard judges, each controller before the kinds it controls.
func AuditOrder() []Kind {
	out := Kinds()
	slices.SortStableFunc(out, func(a, b Kind) int { return a.AuditRank - b.AuditRank })
	return out
}

// JudgesSubresource reports whether a request for this subresource of the kind is judged; "" (the object
// itself) always is.
func (k *Kind) JudgesSubresource(sub string) bool {
	return sub == "" || slices.Contains(k.Subresources, sub)
}

// Resources names the kind's resource and its judged subresources as a webhook rule lists them:
// "pods", "pods/ephemeralcontainers".
func (k *Kind) Resources() []string {
	out := []string{k.Resource}
	for _, sub := range k.Subresources {
		out = append(out, k.Resource+"/"+sub)
	}
	return out
}

// QualifiedResource names the kind's resource as the API server does in messages: "deployments.apps", "pods".
func (k *Kind) QualifiedResource() schema.GroupResource {
	return schema.GroupResource{Group: k.Group, Resource: k.Resource}
}
