package objects

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Kind is one kind of object kubeguard judges.
type Kind struct {
	schema.GroupKind
	// Resource is the plural resource name, used to name objects in messages as the API server does.
	Resource string
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
	{schema.GroupKind{Group: "", Kind: "Pod"}, "pods", podAtRoot},
	{schema.GroupKind{Group: "", Kind: "PodTemplate"}, "podtemplates", templateAtRoot},
	{schema.GroupKind{Group: "", Kind: "ReplicationController"}, "replicationcontrollers", templateInSpec},
	{schema.GroupKind{Group: "apps", Kind: "Deployment"}, "deployments", templateInSpec},
	{schema.GroupKind{Group: "apps", Kind: "ReplicaSet"}, "replicasets", templateInSpec},
	{schema.GroupKind{Group: "apps", Kind: "StatefulSet"}, "statefulsets", templateInSpec},
	{schema.GroupKind{Group: "apps", Kind: "DaemonSet"}, "daemonsets", templateInSpec},
	{schema.GroupKind{Group: "batch", Kind: "Job"}, "jobs", templateInSpec},
	{schema.GroupKind{Group: "batch", Kind: "CronJob"}, "cronjobs", templateInJobSpec},
	{schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}, "rolebindings", bindingSubjects},
	{schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}, "clusterrolebindings", bindingSubjects},
	{schema.GroupKind{Group: "policy", Kind: "PodDisruptionBudget"}, "poddisruptionbudgets", disruptionBudget},
}

// Lookup returns the kind with this group and kind name, and false for a kind kubeguard does not judge.
func Lookup(gk schema.GroupKind) (*Kind, bool) {
	for i := range kinds {
		if kinds[i].GroupKind == gk {
			return &kinds[i], true
		}
	}
	return nil, false
}

// Kinds returns every kind kubeguard judges.
func Kinds() []Kind {
	return append([]Kind(nil), kinds...)
}

// QualifiedResource names the kind's resource as the API server does in messages: "deployments.apps", "pods".
func (k *Kind) QualifiedResource() schema.GroupResource {
	return schema.GroupResource{Group: k.Group, Resource: k.Resource}
}
