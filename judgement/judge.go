package judgement

import (
	"fmt"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// Request is one object to judge and who asks for it: an admission request, or a manifest read by
// kubeguard check (a create by nobody in particular).
type Request struct {
	Kind        schema.GroupKind
	SubResource string
	Operation   admissionv1.Operation
	// Name is the name the request is for; empty on a create whose object has only a generateName.
	Name      string
	Namespace string
	// User and Groups are the requester's. An empty User means no requester (an offline check): the
	// requester exemptions then do not apply.
	User   string
	Groups []string
	// Object and OldObject are the request's objects as the rules read them; OldObject is nil when the
	// request has none (a create).
	Object, OldObject *objects.Document
	// Unreadable is why the objects could not be decoded, when they could not.
	Unreadable error
	// AllDryRun treats every enabled rule as dry-run: the dry-run webhook path.
	AllDryRun bool
	// Now is the moment the request is judged at, which decides the enforcement dates and the time-boxed
	// exemptions that apply; the zero time means the present.
	Now time.Time
}

// Verdict is the judgement of one request.
type Verdict struct {
	Decision Decision
	// Kind is the kind, when kubeguard judges objects of it; nil otherwise.
	Kind *objects.Kind
	// Name names the object in messages: the request's name, or the object's generateName followed by "*".
	Name      string
	Namespace string
	Result
	// Reason says why a request is exempt or in error, for messages and logs.
	Reason string
}

// Judge decides a request under p. It never fails: what it cannot read it refuses, with the reason.
func Judge(p *policy.Policy, req *Request) Verdict {
	kind, judged := objects.Lookup(req.Kind)
	if !judged {
		return Verdict{Decision: NotJudged}
	}
	skipped := Verdict{Decision: NotJudged, Kind: kind, Name: req.Name, Namespace: req.Namespace}
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return skipped
	}
	// Of the subresources only those the kind's row names (adding an ephemeral container, kubectl debug)
	// change what runs; status, scale, binding and eviction requests must never be blocked.
	if !kind.JudgesSubresource(req.SubResource) {
		return skipped
	}
	// An ephemeral container request carries the whole pod, of which only the added containers are new.
	ephemeral := req.SubResource == "ephemeralcontainers"

	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	v := Verdict{Kind: kind, Name: req.Name, Namespace: req.Namespace}
	var obj *objects.Object
	if req.Object != nil && req.Unreadable == nil {
		obj = req.Object.Object(kind)
		if v.Name == "" {
			v.Name = obj.Name
		}
	}
	switch {
	case p.ExemptNamespace(req.Namespace, now):
		v.Decision, v.Reason = Exempt, fmt.Sprintf("namespace %s is exempt", req.Namespace)
		return v
	case req.User != "" && p.ExemptRequester(req.User, req.Groups, now):
		v.Decision, v.Reason = Exempt, fmt.Sprintf("requester %s is exempt", req.User)
		return v
	case req.Unreadable != nil:
		v.Decision, v.Reason = Error, fmt.Sprintf("kubeguard cannot read the %s: %v", kind.Kind, req.Unreadable)
		return v
	case obj == nil:
		v.Decision, v.Reason = Error, fmt.Sprintf("the request carries no %s to judge", kind.Kind)
		return v
	}

	var old *objects.Object
	if req.OldObject != nil && req.Operation == admissionv1.Update {
		old = req.OldObject.Object(kind)
	}
	// An update that changes nothing the rules read (labels, annotations, replicas, finalizers) cannot
	// change a verdict; allowing it keeps existing objects manageable while teams move to compliance.
	if old != nil && !ephemeral && sameInputs(obj, old) {
		v.Decision = Allowed
		return v
	}
	var earlier map[string]bool
	if ephemeral {
		// Judge only what the request adds: the pod's other containers were judged when it was created, and
		// its earlier ephemeral containers when they were added (the API only ever appends them). Those stay
		// in the view, so that field paths keep their indexes, and their violations are dropped below.
		obj.Pod.Spec.InitContainers, obj.Pod.Spec.Containers = nil, nil
		if old != nil && old.Pod != nil {
			earlier = make(map[string]bool, len(old.Pod.Spec.EphemeralContainers))
			for _, c := range old.Pod.Spec.EphemeralContainers {
				earlier[c.Name] = true
			}
		}
	}

	allDryRun := req.AllDryRun || p.DryRunNamespace(req.Namespace, now) ||
		(req.User != "" && p.DryRunRequester(req.User, now))
	if obj.Pod != nil {
		v.Result = evaluatePod(p, obj.Pod, allDryRun, now)
		v.Enforced, v.DryRun = withoutContainers(v.Enforced, earlier), withoutContainers(v.DryRun, earlier)
	} else {
		v.Result = evaluateOther(p, obj, allDryRun, now)
	}
	if old != nil && !ephemeral && p.Updates == policy.Ratchet && v.violated() {
		// The old object is judged by the same policy, requester and moment, so that only what the update
		// adds can differ.
		var before Result
		if old.Pod != nil && obj.Pod != nil {
			before = evaluatePod(p, old.Pod, allDryRun, now)
		} else if old.Pod == nil && obj.Pod == nil {
			before = evaluateOther(p, old, allDryRun, now)
		}
		v.Result.ratchet(&before)
	}
	switch {
	case len(v.Enforced) > 0:
		v.Decision = Denied
	case len(v.DryRun) > 0 || len(v.Existing) > 0:
		v.Decision = Warned
	default:
		v.Decision = Allowed
	}
	return v
}

func sameInputs(obj, old *objects.Object) bool {
	if obj.Pod != nil {
		return old.Pod != nil && obj.Pod.SameInputs(old.Pod)
	}
	if obj.DisruptionBudget != nil {
		return old.DisruptionBudget != nil && obj.DisruptionBudget.SameInputs(old.DisruptionBudget)
	}
	return old.Binding != nil && obj.Binding != nil && obj.Binding.SameInputs(old.Binding)
}

// withoutContainers drops the violations of the named containers, and the pod-level ones that reach none
// but them: a pod-level value matters to a new ephemeral container only when it inherits it.
func withoutContainers(vs []rules.Violation, names map[string]bool) []rules.Violation {
	if len(names) == 0 {
		return vs
	}
	kept := vs[:0]
	for _, v := range vs {
		if affectsOthers(v, names) {
			kept = append(kept, v)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return kept
}

// affectsOthers reports whether v concerns a container not among names.
func affectsOthers(v rules.Violation, names map[string]bool) bool {
	if v.Container != "" {
		return !names[v.Container]
	}
	if len(v.Affected) == 0 {
		return true
	}
	for _, c := range v.Affected {
		if !names[c] {
			return true
		}
	}
	return false
}
