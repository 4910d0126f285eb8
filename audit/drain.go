package audit

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/rules"
)

// The drain checks (drain-blocked, unmanaged-pod) read, of the objects the audit lists anyway, only what
// a drain depends on, from the same decoding as the rest of the audit (metadata): one small record per
// pod and budget, bounded by the objects listed. A label selector or a budget that does not parse is
// skipped, never guessed at, since the API server's validation refuses those on its own.
//
// A pod counts as managed only when its one controller reference resolves as attribution resolves it
// (owners.go: UID, kind, group and name of a controller met in the same namespace, chain-checked) and
// that controller's selector selects the pod's labels. Anyone who may create a pod may write an owner
// reference to a real ReplicaSet's UID; kubectl drain trusts any controller reference and evicts such a
// pod without --force, and no controller recreates it: the pod is lost. A controller also releases an
// owned pod its selector does not select, and does not replace it. Such pods are reported as unmanaged.
//
// The rest of what a tenant controls is read as hostile too: a budget's selector and values that do
// not parse are skipped; counts in a status are clamped; names in a message are cut at five; and the
// work of matching is each budget against the pods of its own namespace, so a tenant's budgets cost in
// proportion to its own budgets and pods, both bounded by its object quota.

// drainSpec and budgetStatus are the fields of metadata the drain checks read: spec.nodeName of a pod,
// spec.replicas and spec.selector of a workload, the budget and status of a PodDisruptionBudget. They are
// kept raw where a hostile or unexpected value must not make the whole object unreadable.
type drainSpec struct {
	NodeName       string          `json:"nodeName"`
	Replicas       *int64          `json:"replicas"`
	Selector       json.RawMessage `json:"selector"`
	MinAvailable   json.RawMessage `json:"minAvailable"`
	MaxUnavailable json.RawMessage `json:"maxUnavailable"`
}

type budgetStatus struct {
	ObservedGeneration int64 `json:"observedGeneration"`
	DisruptionsAllowed int64 `json:"disruptionsAllowed"`
	CurrentHealthy     int64 `json:"currentHealthy"`
	DesiredHealthy     int64 `json:"desiredHealthy"`
	ExpectedPods       int64 `json:"expectedPods"`
}

// drainPod is what a drain depends on of a pod.
type drainPod struct {
	namespace, name, node string
	labels                labels.Set
	// owner is the controller that would recreate the pod, nil for none.
	owner   *controller
	running bool
	// tallied is how the pod already counts in its namespace's tally: its verdict when it was judged as
	// itself, "" when it counts toward its workload or was not judged.
	tallied judgement.Decision
}

// budget is a PodDisruptionBudget as the drain check reads it.
type budget struct {
	namespace, name              string
	selector                     labels.Selector
	minAvailable, maxUnavailable *intstr.IntOrString
	status                       budgetStatus
	// current says the status is the disruption controller's verdict on the budget as it is now, not on
	// an earlier generation of it.
	current bool
	tallied judgement.Decision
}

// drainState is what the drain checks keep of one audit: the pods in scope (to match budgets against)
// and the budgets, whose findings are worked out once everything is listed; minReplicas are the
// HorizontalPodAutoscalers' minimums by "namespace/Kind/name" of their target.
type drainState struct {
	pods        []drainPod
	budgets     []budget
	minReplicas map[string]int
}

// selectorOf parses the selector of a controller: a ReplicationController's is a map of labels, every
// other kind's a label selector. One that is missing or does not parse selects nothing.
func selectorOf(kind string, raw json.RawMessage) labels.Selector {
	if len(raw) == 0 || string(raw) == "null" {
		return labels.Nothing()
	}
	if kind == "ReplicationController" {
		var set map[string]string
		if err := json.Unmarshal(raw, &set); err != nil || len(set) == 0 {
			return labels.Nothing()
		}
		return labels.SelectorFromSet(set)
	}
	var ls metav1.LabelSelector
	if err := json.Unmarshal(raw, &ls); err != nil {
		return labels.Nothing()
	}
	s, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		return labels.Nothing()
	}
	return s
}

// intOrPercent reads a budget's minAvailable or maxUnavailable; nil when absent or unreadable.
func intOrPercent(raw json.RawMessage) *intstr.IntOrString {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var v intstr.IntOrString
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil
	}
	return &v
}

// replicasOf is a workload's spec.replicas, 1 when unset (the API server's default).
func replicasOf(m *metadata) int {
	if m.Spec.Replicas == nil {
		return 1
	}
	return int(max(0, min(*m.Spec.Replicas, 1<<31-1)))
}

// addPod records a pod that is not finished. owner is what attribution resolved its controller to.
func (d *drainState) addPod(m *metadata, owner *controller, tallied judgement.Decision) {
	if owner != nil && !owner.selector.Matches(labels.Set(m.Metadata.Labels)) {
		owner = nil
	}
	d.pods = append(d.pods, drainPod{
		namespace: m.Metadata.Namespace, name: m.Metadata.Name, node: m.Spec.NodeName,
		labels: m.Metadata.Labels, owner: owner, running: m.Status.Phase == "Running", tallied: tallied,
	})
}

// addBudget records a PodDisruptionBudget. One without a selector selects no pod (policy/v1); one whose
// selector does not parse is refused by the API server.
func (d *drainState) addBudget(m *metadata, tallied judgement.Decision) {
	sel := labels.Nothing()
	if len(m.Spec.Selector) > 0 && string(m.Spec.Selector) != "null" {
		sel = selectorOf("PodDisruptionBudget", m.Spec.Selector)
	}
	d.budgets = append(d.budgets, budget{
		namespace: m.Metadata.Namespace, name: m.Metadata.Name, selector: sel,
		minAvailable: intOrPercent(m.Spec.MinAvailable), maxUnavailable: intOrPercent(m.Spec.MaxUnavailable),
		status: m.Status.budgetStatus, current: m.Status.ObservedGeneration >= m.Metadata.Generation, tallied: tallied,
	})
}

// drainBlocked finds the budgets that allow no eviction of the pods they select, in namespace and name
// order. Pods of DaemonSets are left out: a drain does not evict them (kubectl drain --ignore-daemonsets).
func (d *drainState) drainBlocked() []upgradeFinding {
	byNamespace := map[string][]*drainPod{}
	for i := range d.pods {
		p := &d.pods[i]
		if p.owner != nil && p.owner.kind.Kind == "DaemonSet" {
			continue
		}
		byNamespace[p.namespace] = append(byNamespace[p.namespace], p)
	}
	var out []upgradeFinding
	for i := range d.budgets {
		b := &d.budgets[i]
		var pods []*drainPod
		for _, p := range byNamespace[b.namespace] {
			if b.selector.Matches(p.labels) {
				pods = append(pods, p)
			}
		}
		if len(pods) == 0 {
			continue
		}
		v, workloads, ok := d.whyBlocked(b, pods)
		if !ok {
			continue
		}
		f := findingOf(v)
		f.Namespace, f.Kind, f.Name = b.namespace, "PodDisruptionBudget", b.name
		f.Workloads, f.Nodes = workloads, nodesOf(pods)
		f.resource, f.apiVersion = "poddisruptionbudgets.policy", "policy/v1"
		out = append(out, upgradeFinding{Finding: f, tallied: b.tallied})
	}
	sortFindings(out)
	return out
}

// whyBlocked says why b allows no eviction of pods, as a violation of drain-blocked with the workloads it
// covers (resource/name), or false when it allows one. The budget is resolved as the disruption
// controller resolves it, percentages rounded up, against the replicas the selected workloads may run
// with: their replica count, or their HorizontalPodAutoscaler's minimum. A pod without a workload that would recreate it counts as one.
// Failing that, the disruption controller's own verdict on the budget as it is counts (a status it has not
// yet written for the budget's latest generation says nothing): no disruption allowed while all the pods
// it expects are healthy is a budget nothing will free; while some are not healthy, the drain blocks
// until they are, which is said with the count.
func (d *drainState) whyBlocked(b *budget, pods []*drainPod) (rules.Violation, []string, bool) {
	spec := field.NewPath("spec")
	replicas, names, workloads := d.replicasOf(pods)
	covered := fmt.Sprintf("the %d %s of %s", replicas, judgement.Plural(replicas, "replica", "replicas"), names)
	blocks := "; it blocks the drain of " + nodeList(nodesOf(pods))
	v := rules.Violation{Rule: rules.DrainBlockedID, Fix: "set maxUnavailable: 1, or a minAvailable below the replicas it covers"}
	switch {
	case replicas == 0:
		// Workloads scaled to zero whose pods are still going: nothing to resolve the budget against.
	case b.maxUnavailable != nil:
		n, err := intstr.GetScaledValueFromIntOrPercent(b.maxUnavailable, replicas, true)
		if err == nil && n <= 0 {
			v.Field, v.Problem = spec.Child("maxUnavailable").String(), b.maxUnavailable.String()+" allows no eviction of "+covered+blocks
			return v, workloads, true
		}
	case b.minAvailable != nil:
		n, err := intstr.GetScaledValueFromIntOrPercent(b.minAvailable, replicas, true)
		if err == nil && n >= replicas {
			v.Field, v.Problem = spec.Child("minAvailable").String(), b.minAvailable.String()+" is at or above "+covered+blocks
			return v, workloads, true
		}
	}
	s := b.status
	if !b.current || s.ExpectedPods <= 0 || s.DisruptionsAllowed != 0 {
		return rules.Violation{}, nil, false
	}
	v.Field = "status.disruptionsAllowed"
	if s.CurrentHealthy >= s.ExpectedPods {
		v.Problem = fmt.Sprintf("is 0 with all %d %s healthy (%s)%s", s.ExpectedPods, judgement.Plural(int(s.ExpectedPods), "pod", "pods"), names, blocks)
		return v, workloads, true
	}
	unhealthy := s.ExpectedPods - max(s.CurrentHealthy, 0)
	v.Problem = fmt.Sprintf("is 0 because %d of its %d pods are not healthy (%s; %d must be)%s",
		unhealthy, s.ExpectedPods, names, s.DesiredHealthy, blocks)
	v.Fix = "make the pods that are not Ready ready (kubectl get pods -l for its selector, then their events and probes) or delete them so their controller replaces them, " +
		"then drain; if they cannot become ready, lower the budget while you drain"
	return v, workloads, true
}

// replicasOf adds up the replicas of the workloads that control pods, each counted once, and names them:
// as the message says them ("Deployment web", the first few) and as resource/name, all of them, in the
// same order. A ReplicaSet counts as its Deployment when attribution resolved it to one.
func (d *drainState) replicasOf(pods []*drainPod) (int, string, []string) {
	type named struct{ said, id string }
	seen := map[*controller]bool{}
	var names []named
	replicas := 0
	for _, p := range pods {
		w := p.owner
		if w != nil && w.parent != nil && w.kind.Kind == "ReplicaSet" {
			w = w.parent
		}
		if w == nil || w.replicas < 0 {
			// No workload, or one without a replica count (a Job): each pod counts.
			replicas++
			if w == nil {
				names = append(names, named{"Pod " + p.name, "pods/" + p.name})
			} else if !seen[w] {
				seen[w] = true
				names = append(names, named{w.kind.Kind + " " + w.name, resourceOf(w.kind) + "/" + w.name})
			}
			continue
		}
		if seen[w] {
			continue
		}
		seen[w] = true
		n := w.replicas
		if minimum, ok := d.minReplicas[w.namespace+"/"+w.kind.Kind+"/"+w.name]; ok {
			n = minimum
		}
		replicas += n
		names = append(names, named{w.kind.Kind + " " + w.name, resourceOf(w.kind) + "/" + w.name})
	}
	sort.Slice(names, func(i, j int) bool { return names[i].said < names[j].said })
	said, ids := make([]string, len(names)), make([]string, len(names))
	for i, n := range names {
		said[i], ids[i] = n.said, n.id
	}
	return replicas, firstNames(said), ids
}

// resourceOf names a controller's kind as the API server names its resource ("deployments.apps").
func resourceOf(gk schema.GroupKind) string {
	if k, ok := objects.Lookup(gk); ok {
		return k.QualifiedResource().String()
	}
	return gk.String()
}

// nodesOf lists, sorted, the nodes the pods run on.
func nodesOf(pods []*drainPod) []string {
	seen := map[string]bool{}
	var nodes []string
	for _, p := range pods {
		if p.node != "" && !seen[p.node] {
			seen[p.node] = true
			nodes = append(nodes, p.node)
		}
	}
	sort.Strings(nodes)
	return nodes
}

// nodeList names the nodes in a message.
func nodeList(nodes []string) string {
	if len(nodes) == 0 {
		return "any node its pods are scheduled to"
	}
	return judgement.Plural(len(nodes), "node ", "nodes ") + firstNames(nodes)
}

// firstNames joins the first few names and counts the rest, so that a message stays one line.
func firstNames(names []string) string {
	if len(names) <= maxNamesInAMessage {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxNamesInAMessage], ", "), len(names)-maxNamesInAMessage)
}

// unmanagedPods finds the running pods that no controller would recreate, in namespace and name order.
func (d *drainState) unmanagedPods() []upgradeFinding {
	var out []upgradeFinding
	for i := range d.pods {
		p := &d.pods[i]
		if !p.running || p.owner != nil {
			continue
		}
		node := "its node"
		if p.node != "" {
			node = "node " + p.node
		}
		v := rules.Violation{
			Rule:    rules.UnmanagedPodID,
			Field:   "metadata.ownerReferences",
			Problem: "name no controller that would recreate the pod: draining " + node + " deletes it for good (kubectl drain stops on it first unless --force, or trusts a forged reference)",
			Fix:     "run it from a Deployment, StatefulSet or Job",
		}
		f := findingOf(v)
		f.Namespace, f.Kind, f.Name, f.resource, f.apiVersion = p.namespace, "Pod", p.name, "pods", "v1"
		if p.node != "" {
			f.Nodes = []string{p.node}
		}
		out = append(out, upgradeFinding{Finding: f, tallied: p.tallied})
	}
	sortFindings(out)
	return out
}

func sortFindings(fs []upgradeFinding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Namespace != fs[j].Namespace {
			return fs[i].Namespace < fs[j].Namespace
		}
		return fs[i].Name < fs[j].Name
	})
}

// isPodController reports whether objects of kind create pods directly.
func isPodController(kind *objects.Kind) bool {
	for _, gk := range parentKinds[podKind] {
		if gk == kind.GroupKind {
			return true
		}
	}
	return false
}
