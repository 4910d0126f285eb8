package audit

import (
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/rules"
)

// Attribution is what a tenant would attack to hide an object from the audit: a pod counted toward a
// compliant workload is reported nowhere. Anyone who may create a pod may write any owner reference on
// it, with any UID, kind and name, as many as they like; so an object is attributed to a controller only
// when all of these hold, and is otherwise judged and reported as itself:
//
//   - it has exactly one controller reference (Kubernetes sets one; two are claimed by neither);
//   - that reference names, by UID, kind, group and name, an object the audit has already met in the
//     same namespace, of a kind that makes objects of this kind (parentKinds: a Pod is a ReplicaSet's,
//     a Job's, a StatefulSet's, a DaemonSet's or a ReplicationController's, never a Deployment's);
//   - that object was itself judged, or attributed in the same way (a ReplicaSet to its Deployment, a Job
//     to its CronJob), so a chain of references holds only as far as every link holds;
//   - the object breaks no rule in a way its controller's template does not (violationKey): a pod a
//     mutating webhook made privileged, or a ReplicaSet left from an earlier template that still runs
//     pods (a paused or stuck rollout), is reported on its own.
//
// The work is bounded: one pass over the owner references, one map lookup, and a map per controller of
// what its template breaks. Controllers are met before what they control (auditOrder), so a reference
// can only point back up the chain, and a cycle of references cannot be followed.

// parentKinds lists, for each kind a controller makes, the kinds that make it.
var parentKinds = map[schema.GroupKind][]schema.GroupKind{
	podKind: {
		{Group: "apps", Kind: "ReplicaSet"}, {Group: "apps", Kind: "StatefulSet"}, {Group: "apps", Kind: "DaemonSet"},
		{Group: "batch", Kind: "Job"}, {Kind: "ReplicationController"},
	},
	{Group: "apps", Kind: "ReplicaSet"}: {{Group: "apps", Kind: "Deployment"}},
	{Group: "batch", Kind: "Job"}:       {{Group: "batch", Kind: "CronJob"}},
}

var podKind = schema.GroupKind{Kind: "Pod"}

// ownerReference is what the audit reads of an owner reference.
type ownerReference struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	UID        string `json:"uid"`
	Controller *bool  `json:"controller"`
}

// controller is an object met by the audit that may control others: where their pods are counted and
// what its template breaks.
type controller struct {
	kind            schema.GroupKind
	namespace, name string
	// workload holds the findings the controlled objects' pods are counted on: the controller's own when
	// it was judged, its workload's when it was attributed.
	workload *workload
	// violations is everything the controller's template breaks.
	violations violationSet
	// What the drain checks read (drain.go): the controller it resolved to (a ReplicaSet's Deployment),
	// its replica count (-1 for kinds without one), and the pods it selects (nothing for kinds that
	// make no pods themselves).
	parent   *controller
	replicas int
	selector labels.Selector
}

// controllerRef returns the object's one controller reference, or nil when it has none or several.
func (m *metadata) controllerRef() *ownerReference {
	var found *ownerReference
	for i := range m.Metadata.OwnerReferences {
		ref := &m.Metadata.OwnerReferences[i]
		if ref.Controller == nil || !*ref.Controller {
			continue
		}
		if found != nil {
			return nil
		}
		found = ref
	}
	return found
}

// resolve returns the controller an object of kind with metadata m may be attributed to, or nil. It
// does not look at the object's spec: see attributable.
func resolve(controllers map[string]*controller, kind schema.GroupKind, m *metadata) *controller {
	ref := m.controllerRef()
	if ref == nil || ref.UID == "" {
		return nil
	}
	c, ok := controllers[ref.UID]
	if !ok || c.namespace != m.Metadata.Namespace || c.name != ref.Name || c.kind.Kind != ref.Kind {
		return nil
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil || gv.Group != c.kind.Group {
		return nil
	}
	for _, parent := range parentKinds[kind] {
		if parent == c.kind {
			return c
		}
	}
	return nil
}

// violationSet is what one object breaks, enforced or dry-run, as the keys ratcheting compares: the rule,
// the container (its kind and name, never its index), the setting and the offending value. Settings are
// taken below the pod template, so that a Pod and its workload's template compare: a pod whose injected
// sidecar inherits the template's missing runAsNonRoot breaks more than the template, one whose containers
// sit in another order does not, and one that weakens a pod-level value (seccomp unset to Unconfined) does.
type violationSet map[rules.Key]struct{}

// violationsOf collects the verdict's violations; templatePath is where the object keeps its pod
// template ("spec.template"), "" for a Pod.
func violationsOf(v *judgement.Verdict, templatePath string) violationSet {
	set := violationSet{}
	for _, vs := range [][]rules.Violation{v.Enforced, v.DryRun} {
		for i := range vs {
			for _, k := range vs[i].Keys() {
				if templatePath != "" {
					k.Setting = strings.TrimPrefix(k.Setting, templatePath+".")
				}
				set[k] = struct{}{}
			}
		}
	}
	return set
}

// within reports whether s breaks nothing that t does not.
func (s violationSet) within(t violationSet) bool {
	for k := range s {
		if _, ok := t[k]; !ok {
			return false
		}
	}
	return true
}
