package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// Options say what to audit.
type Options struct {
	// Namespace limits the audit to one namespace (and leaves out cluster-scoped objects); "" audits all.
	Namespace string
	// At is the moment the verdicts are given for (enforcement dates, time-boxed exemptions); the zero
	// time means now.
	At time.Time
	// Progress receives a line per page listed when it is set, for people waiting on a large cluster.
	Progress io.Writer
	// Upgrade runs only the upgrade checks (drain-blocked, unmanaged-pod, removed-api-in-use), listing
	// only what they read; otherwise they run with the rules and instance-metadata-egress (upgrade.go).
	Upgrade bool
	// TargetVersion is the Kubernetes version removed-api-in-use judges against, "1.NN"; "" means the
	// minor after the server's.
	TargetVersion string
	// APIServer answers removed-api-in-use; nil leaves that check out.
	APIServer APIServer
}

// Finding is one violation of one object that exists: what the webhook would say if the object were
// created today.
type Finding struct {
	Rule      string `json:"rule"`
	Namespace string `json:"namespace,omitempty"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	// Decision is denied for a violation of an enforced rule, warned for one of a dry-run rule.
	Decision judgement.Decision `json:"decision"`
	// Field is the offending field's path from the object's root, as the message names it (for
	// removed-api-in-use the API version, for instance-metadata-egress the destination); Container the
	// container concerned, if any. With Rule, Kind and Name they say which finding this is, for tools
	// that must not read the message's words.
	Field     string `json:"field,omitempty"`
	Container string `json:"container,omitempty"`
	// Workloads names, as resource/name, what a drain-blocked budget covers, or the first objects
	// (namedExposures) an instance-metadata-egress finding exposes.
	Workloads []string `json:"workloads,omitempty"`
	// Nodes names the nodes whose drain a drain-blocked budget blocks, or the node an unmanaged pod
	// runs on.
	Nodes   []string `json:"nodes,omitempty"`
	Message string   `json:"message"`
	// Pods is how many unfinished pods the object controls, directly or through its ReplicaSets or Jobs.
	Pods int `json:"pods,omitempty"`
	// resource names the object as the API server does ("deployments.apps"); apiVersion is the version
	// the audit read it in, for references to it.
	resource, apiVersion string
}

// findingOf is the finding of one violation, with the message of every front-end; the caller says on
// which object and with which decision.
func findingOf(v rules.Violation) Finding {
	return Finding{Rule: v.Rule, Field: v.Field, Container: v.Container, Message: judgement.Line(v)}
}

// Namespace is the tally of one namespace; the cluster-scoped objects are tallied under the name "".
type Namespace struct {
	Name string `json:"name"`
	// Exempt namespaces are not judged.
	Exempt bool `json:"exempt,omitempty"`
	// DryRunLabel says the namespace is labelled kubeguard.io/mode=dry-run, so that the webhook only
	// warns there today. The audit judges it as enforcement would: what the label's removal would refuse.
	DryRunLabel bool `json:"dryRunLabel,omitempty"`
	// Judged counts the objects judged (a workload's pods and ReplicaSets are not counted apart).
	Judged int `json:"judged"`
	// Denied and Warned count the objects that would be denied, or allowed with warnings.
	Denied int `json:"denied"`
	Warned int `json:"warned"`
	// Rules counts findings per rule.
	Rules map[string]int `json:"rules,omitempty"`
}

// Report is the result of one audit.
type Report struct {
	At         time.Time
	Namespaces []*Namespace
	Findings   []Finding
	// Errors are objects that could not be read; the webhook would refuse them.
	Errors []string
	// UpgradeOnly says the report holds the upgrade checks' findings alone (Options.Upgrade), which
	// WriteReports merges into the reports of earlier runs rather than replacing them.
	UpgradeOnly bool
}

// Denied reports whether anything that exists would be denied if it were created today, or an enforced
// audit check found something (a namespace's instance-metadata-egress is no object the tally counts).
func (r *Report) Denied() bool {
	for _, ns := range r.Namespaces {
		if ns.Denied > 0 {
			return true
		}
	}
	for _, f := range r.Findings {
		if f.Decision == judgement.Denied {
			return true
		}
	}
	return len(r.Errors) > 0
}

// ModeLabel on a namespace with the value dry-run sends its requests to the webhook's dry-run path.
const (
	ModeLabel  = "kubeguard.io/mode"
	dryRunMode = "dry-run"
)

// metadata is what the audit reads of an object besides what the rules read.
type metadata struct {
	Metadata struct {
		Name            string            `json:"name"`
		Namespace       string            `json:"namespace"`
		UID             string            `json:"uid"`
		Generation      int64             `json:"generation"`
		Labels          map[string]string `json:"labels"`
		OwnerReferences []ownerReference  `json:"ownerReferences"`
	} `json:"metadata"`
	Status struct {
		Phase string `json:"phase"`
		budgetStatus
	} `json:"status"`
	Spec struct {
		Template    templateLabels `json:"template"`
		JobTemplate struct {
			Spec struct {
				Template templateLabels `json:"template"`
			} `json:"spec"`
		} `json:"jobTemplate"`
		drainSpec
	} `json:"spec"`
}

type templateLabels struct {
	Metadata struct {
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
}

// podLabels returns the labels of the pods the object is or makes.
func (m *metadata) podLabels(kind *objects.Kind) map[string]string {
	switch kind.Kind {
	case "Pod":
		return m.Metadata.Labels
	case "CronJob":
		return m.Spec.JobTemplate.Spec.Template.Metadata.Labels
	}
	return m.Spec.Template.Metadata.Labels
}

// workload is a judged object that controls others, with the range of its findings in the report.
type workload struct {
	first, end int
}

// auditor holds one audit's state. What it keeps grows with the number of workloads, not of pods.
type auditor struct {
	policy     *policy.Policy
	opts       Options
	now        time.Time
	report     *Report
	namespaces map[string]*Namespace
	// controllers maps the UID of every workload, ReplicaSet and Job met to what pods and the objects it
	// controls are attributed to (owners.go).
	controllers map[string]*controller
	// networkPolicies are each namespace's NetworkPolicies; exposed, what in each namespace can reach the
	// instance metadata service.
	networkPolicies map[string][]networkingv1.NetworkPolicy
	exposed         map[string]*exposure
	// drain is what the drain checks keep; nil when both are off.
	drain *drainState
}

// Run audits what src holds under p.
func Run(ctx context.Context, src Source, p *policy.Policy, opts Options) (*Report, error) {
	a := &auditor{
		policy:      p,
		opts:        opts,
		now:         opts.At,
		report:      &Report{At: opts.At, UpgradeOnly: opts.Upgrade},
		namespaces:  map[string]*Namespace{},
		controllers: map[string]*controller{},

		networkPolicies: map[string][]networkingv1.NetworkPolicy{},
		exposed:         map[string]*exposure{},
	}
	if a.now.IsZero() {
		a.now = time.Now()
	}
	if !a.checkOn(rules.InstanceMetadataEgressID) {
		a.exposed = nil
	}
	if err := a.listNamespaces(ctx, src); err != nil {
		return nil, err
	}
	if err := a.listUpgradeInputs(ctx, src); err != nil {
		return nil, err
	}
	if a.checkOn(rules.InstanceMetadataEgressID) {
		if err := a.listNetworkPolicies(ctx, src); err != nil {
			return nil, err
		}
	}
	for _, k := range objects.AuditOrder() {
		kind, _ := objects.Lookup(k.GroupKind)
		if !kind.Namespaced && opts.Namespace != "" || !a.lists(k.GroupKind) {
			continue
		}
		listed := 0
		err := each(ctx, src, kind.QualifiedResource(), opts.Namespace, func(item json.RawMessage) error {
			listed++
			if listed%pageSize == 0 {
				a.progress("listed %d %s", listed, kind.QualifiedResource())
			}
			return a.audit(kind, item)
		})
		if err != nil {
			return nil, err
		}
		a.progress("listed %d %s", listed, kind.QualifiedResource())
	}
	if a.checkOn(rules.InstanceMetadataEgressID) {
		a.addExposures()
	}
	if err := a.addUpgradeFindings(ctx); err != nil {
		return nil, err
	}
	for _, ns := range a.namespaces {
		a.report.Namespaces = append(a.report.Namespaces, ns)
	}
	sort.Slice(a.report.Namespaces, func(i, j int) bool { return a.report.Namespaces[i].Name < a.report.Namespaces[j].Name })
	return a.report, nil
}

func (a *auditor) progress(format string, args ...any) {
	if a.opts.Progress != nil {
		fmt.Fprintf(a.opts.Progress, "kubeguard audit: "+format+"\n", args...)
	}
}

// listNamespaces records every namespace in scope, exempt or not, so that a namespace with nothing in
// it is reported too.
func (a *auditor) listNamespaces(ctx context.Context, src Source) error {
	return each(ctx, src, schema.GroupResource{Resource: "namespaces"}, "", func(item json.RawMessage) error {
		var m metadata
		if err := json.Unmarshal(item, &m); err != nil {
			return fmt.Errorf("reading a namespace: %w", err)
		}
		if a.opts.Namespace == "" || m.Metadata.Name == a.opts.Namespace {
			a.namespace(m.Metadata.Name).DryRunLabel = m.Metadata.Labels[ModeLabel] == dryRunMode
		}
		return nil
	})
}

// namespace returns the tally of ns, creating it.
func (a *auditor) namespace(ns string) *Namespace {
	t, ok := a.namespaces[ns]
	if !ok {
		t = &Namespace{Name: ns, Exempt: ns != "" && a.policy.ExemptNamespace(ns, a.now), Rules: map[string]int{}}
		a.namespaces[ns] = t
	}
	return t
}

// audit attributes one object to the workload that controls it (owners.go), or judges it as a create.
func (a *auditor) audit(kind *objects.Kind, item json.RawMessage) error {
	var m metadata
	if err := json.Unmarshal(item, &m); err != nil {
		return fmt.Errorf("reading a %s: %w", kind.Kind, err)
	}
	tally := a.namespace(m.Metadata.Namespace)
	if tally.Exempt {
		return nil
	}
	owner := resolve(a.controllers, kind.GroupKind, &m)
	// A finished pod runs nothing and reaches nothing: a Job's completed pods are not its exposure.
	finished := kind.Kind == "Pod" && (m.Status.Phase == "Succeeded" || m.Status.Phase == "Failed")
	if owner != nil && finished {
		return nil
	}
	if a.opts.Upgrade {
		a.observe(kind, &m, owner, finished, "")
		if kind.Controller {
			a.addController(kind, &m, &workload{}, nil, owner)
		}
		return nil
	}

	var doc objects.Document
	err := objects.UnmarshalDocument(item, &doc)
	v := judgement.Judge(a.policy, &judgement.Request{
		Kind:       kind.GroupKind,
		Operation:  admissionv1.Create,
		Name:       m.Metadata.Name,
		Namespace:  m.Metadata.Namespace,
		Object:     &doc,
		Unreadable: err,
		Now:        a.now,
	})
	var violations violationSet
	if v.Decision != judgement.Error && (owner != nil || kind.Controller) {
		violations = violationsOf(&v, templatePath(&doc, kind))
	}
	// Attributed: counted toward its controller's findings, which say all it breaks.
	attributed := owner != nil && v.Decision != judgement.Error && violations.within(owner.violations)
	if a.exposed != nil && ((kind.Kind == "Pod" && !finished) || (kind.Controller && !attributed)) {
		a.checkExposure(kind, &m, attributed)
	}
	if attributed {
		a.observe(kind, &m, owner, finished, "")
		switch kind.Kind {
		case "Pod":
			for i := owner.workload.first; i < owner.workload.end; i++ {
				a.report.Findings[i].Pods++
			}
		case "ReplicaSet", "Job":
			a.addController(kind, &m, owner.workload, violations, owner)
		}
		return nil
	}

	if v.Decision == judgement.Error {
		a.observe(kind, &m, owner, finished, "")
		a.report.Errors = append(a.report.Errors, fmt.Sprintf("%s: %s", v.ObjectName(), v.Reason))
		return nil
	}
	a.observe(kind, &m, owner, finished, v.Decision)
	tally.Judged++
	w := &workload{first: len(a.report.Findings)}
	add := func(decision judgement.Decision, v judgement.Verdict) {
		vs := v.Enforced
		if decision == judgement.Warned {
			vs = v.DryRun
		}
		for _, violation := range vs {
			f := findingOf(violation)
			f.Namespace, f.Kind, f.Name, f.Decision = m.Metadata.Namespace, kind.Kind, m.Metadata.Name, decision
			f.resource, f.apiVersion = kind.QualifiedResource().String(), schema.GroupVersion{Group: kind.Group, Version: kind.Version}.String()
			a.report.Findings = append(a.report.Findings, f)
			tally.Rules[violation.Rule]++
		}
	}
	add(judgement.Denied, v)
	add(judgement.Warned, v)
	w.end = len(a.report.Findings)
	switch v.Decision {
	case judgement.Denied:
		tally.Denied++
	case judgement.Warned:
		tally.Warned++
	}
	if kind.Controller {
		a.addController(kind, &m, w, violations, owner)
	}
	return nil
}

// addController records an object that may control others, under its UID; parent is the controller it
// resolved to, if any.
func (a *auditor) addController(kind *objects.Kind, m *metadata, w *workload, violations violationSet, parent *controller) {
	if m.Metadata.UID == "" {
		return
	}
	c := &controller{
		kind: kind.GroupKind, namespace: m.Metadata.Namespace, name: m.Metadata.Name,
		workload: w, violations: violations, parent: parent, replicas: -1, selector: labels.Nothing(),
	}
	if a.drain != nil {
		if scalable[kind.Kind] {
			c.replicas = replicasOf(m)
		}
		if isPodController(kind) {
			c.selector = selectorOf(kind.Kind, m.Spec.Selector)
		}
	}
	a.controllers[m.Metadata.UID] = c
}

// templatePath is where the decoded object keeps its pod template ("spec.template"); "" for a Pod and for
// kinds without one.
func templatePath(doc *objects.Document, kind *objects.Kind) string {
	obj := doc.Object(kind)
	if obj.Pod == nil || obj.Pod.Path == nil {
		return ""
	}
	return obj.Pod.Path.String()
}
