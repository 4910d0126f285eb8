package webhook

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/kubeguard/kubeguard/rules"
	"github.com/kubeguard/kubeguard/webhook/objects"
	"github.com/kubeguard/kubeguard/webhook/policy"
	"github.com/kubeguard/kubeguard/webhook/verdict"
)

// Handler judges admission requests against a policy. It serves HTTP itself (ServeHTTP, the path the
// server uses) and also implements controller-runtime's admission.Handler, for embedding in another
// controller-runtime webhook server.
type Handler struct {
	Policy *policy.Policy
	// AllDryRun treats every enabled rule as dry-run: the handler behind /validate/dry-run.
	AllDryRun bool
	// Metrics may be nil.
	Metrics *Metrics
}

var _ admission.Handler = (*Handler)(nil)

// request is what kubeguard reads of an admission request, whichever way it was decoded.
type request struct {
	kind        schema.GroupKind
	subResource string
	name        string
	namespace   string
	operation   admissionv1.Operation
	username    string
	groups      []string
}

// objectSource yields the request's object and old object once the kind is known to be judged, so that
// requests allowed early never pay for decoding them.
type objectSource interface {
	object(k *objects.Kind) (*objects.Object, error)
	oldObject(k *objects.Kind) (*objects.Object, error)
}

// outcome is the verdict on one request, before it is written in either transport's types.
type outcome struct {
	decision string
	// status is set for denials and for requests that cannot be judged.
	status           *metav1.Status
	warnings         []string
	auditAnnotations map[string]string
	result           policy.Result
}

// Handle implements admission.Handler.
func (h *Handler) Handle(_ context.Context, req admission.Request) admission.Response {
	in := request{
		kind:        schema.GroupKind{Group: req.Kind.Group, Kind: req.Kind.Kind},
		subResource: req.SubResource,
		name:        req.Name,
		namespace:   req.Namespace,
		operation:   req.Operation,
		username:    req.UserInfo.Username,
		groups:      req.UserInfo.Groups,
	}
	out := h.judge(&in, rawObjects{raw: req.Object.Raw, oldRaw: req.OldObject.Raw})
	return admission.Response{AdmissionResponse: out.response(req.UID)}
}

// rawObjects decodes objects from the raw JSON controller-runtime hands over.
type rawObjects struct{ raw, oldRaw []byte }

func (r rawObjects) object(k *objects.Kind) (*objects.Object, error) { return objects.Decode(k, r.raw) }
func (r rawObjects) oldObject(k *objects.Kind) (*objects.Object, error) {
	return objects.Decode(k, r.oldRaw)
}

// judge decides one request and records it in the metrics.
func (h *Handler) judge(req *request, src objectSource) outcome {
	start := time.Now()
	out := h.decide(req, src)
	h.Metrics.record(req.kind.Kind, string(req.operation), out.decision, time.Since(start).Seconds(), out.result)
	return out
}

func (h *Handler) decide(req *request, src objectSource) outcome {
	allowed := outcome{decision: decisionAllowed}
	if req.operation != admissionv1.Create && req.operation != admissionv1.Update {
		return allowed
	}
	kind, judged := objects.Lookup(req.kind)
	if !judged {
		return allowed
	}
	// Of the subresources only adding an ephemeral container (kubectl debug) changes what runs; status,
	// scale, binding and eviction requests must never be blocked.
	ephemeral := req.subResource == "ephemeralcontainers" && kind.Kind == "Pod"
	if req.subResource != "" && !ephemeral {
		return allowed
	}
	if h.Policy.ExemptNamespace(req.namespace) || h.Policy.ExemptRequester(req.username, req.groups) {
		return outcome{decision: decisionExempt}
	}

	obj, err := src.object(kind)
	if err != nil {
		return outcome{decision: decisionError, status: &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusBadRequest,
			Reason:  metav1.StatusReasonBadRequest,
			Message: fmt.Sprintf("kubeguard cannot read the %s: %v", kind.Kind, err),
		}}
	}
	if req.operation == admissionv1.Update && !ephemeral {
		// An update that changes nothing the rules read (labels, annotations, replicas, finalizers) cannot
		// change a verdict; allowing it keeps existing objects manageable while teams move to compliance.
		if old, err := src.oldObject(kind); err == nil && sameInputs(obj, old) {
			return allowed
		}
	}
	var earlier []string
	if ephemeral {
		// Judge only what the request adds: the pod's other containers were judged when it was created, and
		// its earlier ephemeral containers when they were added (the API only ever appends them). Those stay
		// in the view, so that field paths keep their indexes, and their violations are dropped below.
		obj.Pod.Spec.InitContainers, obj.Pod.Spec.Containers = nil, nil
		if old, err := src.oldObject(kind); err == nil && old.Pod != nil {
			for _, c := range old.Pod.Spec.EphemeralContainers {
				earlier = append(earlier, c.Name)
			}
		}
	}

	allDryRun := h.AllDryRun || h.Policy.DryRunRequester(req.username)
	var res policy.Result
	if obj.Pod != nil {
		res = h.Policy.EvaluatePod(obj.Pod, allDryRun)
		res.Enforced, res.DryRun = withoutContainers(res.Enforced, earlier), withoutContainers(res.DryRun, earlier)
	} else {
		res = h.Policy.EvaluateBinding(obj.Binding, allDryRun)
	}

	name := req.name
	if name == "" {
		name = obj.Name
	}
	out := outcome{decision: decisionAllowed, result: res}
	if len(res.DryRun) > 0 {
		out.decision = decisionWarned
		out.auditAnnotations = map[string]string{verdict.AuditAnnotation: verdict.RuleIDs(res.DryRun)}
	}
	if len(res.Enforced) > 0 {
		// Never warnings on a denial: the message already lists the dry-run violations after the enforced ones.
		out.decision = decisionDenied
		out.status = verdict.Denial(kind.QualifiedResource(), name, res.Enforced, res.DryRun)
		return out
	}
	out.warnings = verdict.Warnings(res.DryRun)
	return out
}

// response writes the outcome as an AdmissionResponse.
func (o *outcome) response(uid types.UID) admissionv1.AdmissionResponse {
	return admissionv1.AdmissionResponse{
		UID:              uid,
		Allowed:          o.status == nil,
		Result:           o.status,
		Warnings:         o.warnings,
		AuditAnnotations: o.auditAnnotations,
	}
}

func sameInputs(obj, old *objects.Object) bool {
	if obj.Pod != nil {
		return old.Pod != nil && obj.Pod.SameInputs(old.Pod)
	}
	return old.Binding != nil && obj.Binding.SameInputs(old.Binding)
}

// withoutContainers drops the violations of the named containers; pod-level violations stay.
func withoutContainers(vs []rules.Violation, names []string) []rules.Violation {
	if len(names) == 0 {
		return vs
	}
	var kept []rules.Violation
	for _, v := range vs {
		if v.Container == "" || !slices.Contains(names, v.Container) {
			kept = append(kept, v)
		}
	}
	return kept
}
