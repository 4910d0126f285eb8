package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubeguard/kubeguard/objects"
)

// The drain checks read, of every object, only what a drain depends on. Everything they keep is bounded
// by the objects listed, one small record each; a label selector or a budget that does not parse is
// skipped, never guessed at, since the API server's validation refuses those on its own.

// drainPod is what a drain depends on of a pod.
type drainPod struct {
	namespace, name, node string
	labels                labels.Set
	// controller is the UID of the controlling owner, "" for none.
	controller string
	running    bool
}

// scalable is a workload with a replica count: Deployment, StatefulSet, ReplicaSet, ReplicationController.
type scalable struct {
	kind, namespace, name string
	replicas              int
	// owner is the UID of its controller (a ReplicaSet's Deployment), "" for none.
	owner string
}

// budget is a PodDisruptionBudget as the drain check reads it.
type budget struct {
	namespace, name              string
	selector                     *metav1.LabelSelector
	minAvailable, maxUnavailable *intstr.IntOrString
	disruptionsAllowed           int
	currentHealthy, expectedPods int
}

// drainInputs is what the drain checks know of the cluster.
type drainInputs struct {
	pods    []drainPod
	budgets []budget
	// workloads by UID; minReplicas, the HPA minimum by "namespace/Kind/name" of the target.
	workloads   map[string]*scalable
	minReplicas map[string]int
}

// objectMeta is the metadata the drain checks read.
type objectMeta struct {
	Name            string            `json:"name"`
	Namespace       string            `json:"namespace"`
	UID             string            `json:"uid"`
	Labels          map[string]string `json:"labels"`
	OwnerReferences []struct {
		UID        string `json:"uid"`
		Controller *bool  `json:"controller"`
	} `json:"ownerReferences"`
}

func (m *objectMeta) controller() string {
	for _, o := range m.OwnerReferences {
		if o.Controller != nil && *o.Controller {
			return o.UID
		}
	}
	return ""
}

// listDrainInputs reads objects as the webhook does (objects.Unmarshal: the API server's JSON rules, and
// a decoder that skips what it does not read quickly). It lists pods, the scalable workloads, HorizontalPodAutoscalers and PodDisruptionBudgets of
// namespace ("" for all), leaving out the namespaces exempt says are exempt.
func listDrainInputs(ctx context.Context, src Source, namespace string, exempt func(string) bool) (*drainInputs, error) {
	in := &drainInputs{workloads: map[string]*scalable{}, minReplicas: map[string]int{}}
	read := func(resource schema.GroupResource, fn func(item json.RawMessage) error) error {
		return each(ctx, src, resource, namespace, func(item json.RawMessage) error {
			if err := fn(item); err != nil {
				return fmt.Errorf("reading %s: %w", resource, err)
			}
			return nil
		})
	}
	err := read(schema.GroupResource{Resource: "pods"}, func(item json.RawMessage) error {
		var p struct {
			Metadata objectMeta `json:"metadata"`
			Spec     struct {
				NodeName string `json:"nodeName"`
			} `json:"spec"`
			Status struct {
				Phase string `json:"phase"`
			} `json:"status"`
		}
		if err := objects.Unmarshal(item, &p); err != nil {
			return err
		}
		if exempt(p.Metadata.Namespace) || p.Status.Phase == "Succeeded" || p.Status.Phase == "Failed" {
			return nil
		}
		in.pods = append(in.pods, drainPod{
			namespace: p.Metadata.Namespace, name: p.Metadata.Name, node: p.Spec.NodeName,
			labels: p.Metadata.Labels, controller: p.Metadata.controller(), running: p.Status.Phase == "Running",
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range []struct{ group, resource, kind string }{
		{"apps", "deployments", "Deployment"},
		{"apps", "statefulsets", "StatefulSet"},
		{"apps", "replicasets", "ReplicaSet"},
		{"", "replicationcontrollers", "ReplicationController"},
	} {
		err := read(schema.GroupResource{Group: r.group, Resource: r.resource}, func(item json.RawMessage) error {
			var w struct {
				Metadata objectMeta `json:"metadata"`
				Spec     struct {
					Replicas *int32 `json:"replicas"`
				} `json:"spec"`
			}
			if err := objects.Unmarshal(item, &w); err != nil {
				return err
			}
			if exempt(w.Metadata.Namespace) {
				return nil
			}
			replicas := 1 // the API server's default
			if w.Spec.Replicas != nil {
				replicas = int(*w.Spec.Replicas)
			}
			in.workloads[w.Metadata.UID] = &scalable{kind: r.kind, namespace: w.Metadata.Namespace, name: w.Metadata.Name,
				replicas: replicas, owner: w.Metadata.controller()}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	err = read(schema.GroupResource{Group: "autoscaling", Resource: "horizontalpodautoscalers"}, func(item json.RawMessage) error {
		var h struct {
			Metadata objectMeta `json:"metadata"`
			Spec     struct {
				ScaleTargetRef struct {
					Kind string `json:"kind"`
					Name string `json:"name"`
				} `json:"scaleTargetRef"`
				MinReplicas *int32 `json:"minReplicas"`
			} `json:"spec"`
		}
		if err := objects.Unmarshal(item, &h); err != nil {
			return err
		}
		minimum := 1 // the API server's default
		if h.Spec.MinReplicas != nil {
			minimum = int(*h.Spec.MinReplicas)
		}
		in.minReplicas[h.Metadata.Namespace+"/"+h.Spec.ScaleTargetRef.Kind+"/"+h.Spec.ScaleTargetRef.Name] = minimum
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = read(schema.GroupResource{Group: "policy", Resource: "poddisruptionbudgets"}, func(item json.RawMessage) error {
		var b struct {
			Metadata objectMeta `json:"metadata"`
			Spec     struct {
				Selector       *metav1.LabelSelector `json:"selector"`
				MinAvailable   *intstr.IntOrString   `json:"minAvailable"`
				MaxUnavailable *intstr.IntOrString   `json:"maxUnavailable"`
			} `json:"spec"`
			Status struct {
				DisruptionsAllowed int `json:"disruptionsAllowed"`
				CurrentHealthy     int `json:"currentHealthy"`
				ExpectedPods       int `json:"expectedPods"`
			} `json:"status"`
		}
		if err := objects.Unmarshal(item, &b); err != nil {
			return err
		}
		if exempt(b.Metadata.Namespace) {
			return nil
		}
		in.budgets = append(in.budgets, budget{
			namespace: b.Metadata.Namespace, name: b.Metadata.Name, selector: b.Spec.Selector,
			minAvailable: b.Spec.MinAvailable, maxUnavailable: b.Spec.MaxUnavailable,
			disruptionsAllowed: b.Status.DisruptionsAllowed, currentHealthy: b.Status.CurrentHealthy, expectedPods: b.Status.ExpectedPods,
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}

// drainBlocked finds the budgets that allow no eviction of the pods they select, in namespace and name
// order.
func (in *drainInputs) drainBlocked() []Finding {
	byNamespace := map[string][]*drainPod{}
	for i := range in.pods {
		p := &in.pods[i]
		byNamespace[p.namespace] = append(byNamespace[p.namespace], p)
	}
	var out []Finding
	for i := range in.budgets {
		b := &in.budgets[i]
		// A budget without a selector selects no pod (policy/v1); one whose selector does not parse is
		// refused by the API server.
		if b.selector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(b.selector)
		if err != nil {
			continue
		}
		var pods []*drainPod
		for _, p := range byNamespace[b.namespace] {
			if sel.Matches(p.labels) {
				pods = append(pods, p)
			}
		}
		if len(pods) == 0 {
			continue
		}
		why := in.whyBlocked(b, pods)
		if why == "" {
			continue
		}
		out = append(out, Finding{
			Rule: drainBlockedID, Namespace: b.namespace, Kind: "PodDisruptionBudget", Name: b.name,
			Decision: decisionOf(drainBlockedID),
			Message: fmt.Sprintf("%s: %s; it blocks the drain of %s. Fix: set maxUnavailable: 1, or a minAvailable below the replicas it covers",
				drainBlockedID, why, nodeList(pods)),
			resource: "poddisruptionbudgets.policy", apiVersion: "policy/v1",
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// whyBlocked says why b allows no eviction of pods, or "" when it allows one. The budget is resolved as
// the disruption controller resolves it, percentages rounded up, against the replicas the selected
// workloads may run with: their replica count, or their HorizontalPodAutoscaler's minimum. A pod without
// a known workload counts as one.
func (in *drainInputs) whyBlocked(b *budget, pods []*drainPod) string {
	replicas, names := in.replicasOf(pods)
	covered := fmt.Sprintf("the %d %s of %s", replicas, plural(replicas, "replica", "replicas"), names)
	switch {
	case replicas == 0:
		// Workloads scaled to zero whose pods are still going: nothing to resolve the budget against.
	case b.maxUnavailable != nil:
		n, err := intstr.GetScaledValueFromIntOrPercent(b.maxUnavailable, replicas, true)
		if err == nil && n <= 0 {
			return fmt.Sprintf("maxUnavailable %s allows no eviction of %s", b.maxUnavailable.String(), covered)
		}
	case b.minAvailable != nil:
		n, err := intstr.GetScaledValueFromIntOrPercent(b.minAvailable, replicas, true)
		if err == nil && n >= replicas {
			return fmt.Sprintf("minAvailable %s is at or above %s", b.minAvailable.String(), covered)
		}
	}
	// What the disruption controller itself concluded, when every pod it expects is healthy: nothing an
	// unready pod will fix by becoming ready.
	if b.expectedPods > 0 && b.disruptionsAllowed == 0 && b.currentHealthy >= b.expectedPods {
		return fmt.Sprintf("status.disruptionsAllowed is 0 with all %d %s healthy (%s)", b.expectedPods, plural(b.expectedPods, "pod", "pods"), names)
	}
	return ""
}

// replicasOf adds up the replicas of the workloads that control pods, each counted once, and names them.
func (in *drainInputs) replicasOf(pods []*drainPod) (int, string) {
	seen := map[*scalable]bool{}
	var names []string
	replicas := 0
	for _, p := range pods {
		w := in.workloads[p.controller]
		if w != nil && w.owner != "" && in.workloads[w.owner] != nil {
			w = in.workloads[w.owner]
		}
		if w == nil {
			replicas++
			names = append(names, "Pod "+p.name)
			continue
		}
		if seen[w] {
			continue
		}
		seen[w] = true
		n := w.replicas
		if minimum, ok := in.minReplicas[w.namespace+"/"+w.kind+"/"+w.name]; ok {
			n = minimum
		}
		replicas += n
		names = append(names, w.kind+" "+w.name)
	}
	sort.Strings(names)
	return replicas, firstNames(names)
}

// nodeList names the nodes the pods run on.
func nodeList(pods []*drainPod) string {
	seen := map[string]bool{}
	var nodes []string
	for _, p := range pods {
		if p.node != "" && !seen[p.node] {
			seen[p.node] = true
			nodes = append(nodes, p.node)
		}
	}
	if len(nodes) == 0 {
		return "any node its pods are scheduled to"
	}
	sort.Strings(nodes)
	return plural(len(nodes), "node ", "nodes ") + firstNames(nodes)
}

// firstNames joins the first few names and counts the rest, so that a message stays one line.
func firstNames(names []string) string {
	if len(names) <= maxNamesInAMessage {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxNamesInAMessage], ", "), len(names)-maxNamesInAMessage)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// unmanagedPods finds the running pods without a controller, in namespace and name order.
func (in *drainInputs) unmanagedPods() []Finding {
	var out []Finding
	for i := range in.pods {
		p := &in.pods[i]
		if !p.running || p.controller != "" {
			continue
		}
		node := "its node"
		if p.node != "" {
			node = "node " + p.node
		}
		out = append(out, Finding{
			Rule: unmanagedPodID, Namespace: p.namespace, Kind: "Pod", Name: p.name,
			Decision: decisionOf(unmanagedPodID),
			Message: fmt.Sprintf("%s: has no controller: draining %s stops on it, and kubectl drain --force deletes it for good. Fix: run it from a Deployment, StatefulSet or Job",
				unmanagedPodID, node),
			resource: "pods", apiVersion: "v1",
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out
}
