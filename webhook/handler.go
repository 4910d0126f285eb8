package webhook

import (
	"context"
	"fmt"
	"net/http"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/kubeguard/kubeguard/webhook/objects"
	"github.com/kubeguard/kubeguard/webhook/policy"
	"github.com/kubeguard/kubeguard/webhook/verdict"
)

// Handler judges admission requests against a policy.
type Handler struct {
	Policy *policy.Policy
	// AllDryRun treats every enabled rule as dry-run: the handler behind /validate/dry-run.
	AllDryRun bool
	// Metrics may be nil.
	Metrics *Metrics
}

var _ admission.Handler = (*Handler)(nil)

// Handle answers one admission request. It never returns an error to the transport: what cannot be judged
// is allowed (kinds and operations kubeguard does not judge) or answered with a clear status (bodies it
// cannot read).
func (h *Handler) Handle(_ context.Context, req admission.Request) admission.Response {
	start := time.Now()
	resp, decision, res := h.review(&req)
	h.Metrics.record(req.Kind.Kind, string(req.Operation), decision, time.Since(start).Seconds(), res)
	return resp
}

func (h *Handler) review(req *admission.Request) (admission.Response, string, policy.Result) {
	var none policy.Result
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return admission.Allowed(""), decisionAllowed, none
	}
	kind, judged := objects.Lookup(schema.GroupKind{Group: req.Kind.Group, Kind: req.Kind.Kind})
	if !judged {
		return admission.Allowed(""), decisionAllowed, none
	}
	// Of the subresources only adding an ephemeral container (kubectl debug) changes what runs; status,
	// scale, binding and eviction requests must never be blocked.
	ephemeral := req.SubResource == "ephemeralcontainers" && kind.Kind == "Pod"
	if req.SubResource != "" && !ephemeral {
		return admission.Allowed(""), decisionAllowed, none
	}
	if h.Policy.ExemptNamespace(req.Namespace) || h.Policy.ExemptRequester(req.UserInfo.Username, req.UserInfo.Groups) {
		return admission.Allowed(""), decisionExempt, none
	}

	obj, err := objects.Decode(kind, req.Object.Raw)
	if err != nil {
		return admission.Errored(http.StatusBadRequest, fmt.Errorf("kubeguard cannot read the object: %w", err)), decisionError, none
	}
	if req.Operation == admissionv1.Update && !ephemeral {
		// An update that changes nothing the rules read (labels, annotations, replicas, finalizers) cannot
		// change a verdict; allowing it keeps existing objects manageable while teams move to compliance.
		if old, err := objects.Decode(kind, req.OldObject.Raw); err == nil && sameInputs(obj, old) {
			return admission.Allowed(""), decisionAllowed, none
		}
	}
	if ephemeral {
		// Judge only what the request adds: the pod's other containers were judged when it was created.
		obj.Pod.Spec.InitContainers, obj.Pod.Spec.Containers = nil, nil
	}

	allDryRun := h.AllDryRun || h.Policy.DryRunRequester(req.UserInfo.Username)
	var res policy.Result
	if obj.Pod != nil {
		res = h.Policy.EvaluatePod(obj.Pod, allDryRun)
	} else {
		res = h.Policy.EvaluateBinding(obj.Binding, allDryRun)
	}

	name := req.Name
	if name == "" {
		name = obj.Name
	}
	switch {
	case len(res.Enforced) > 0:
		resp := admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{
			Allowed: false,
			Result:  verdict.Denial(kind.QualifiedResource(), name, res.Enforced, res.DryRun),
		}}
		if len(res.DryRun) > 0 {
			resp.AuditAnnotations = map[string]string{verdict.AuditAnnotation: verdict.RuleIDs(res.DryRun)}
		}
		return resp, decisionDenied, res
	case len(res.DryRun) > 0:
		resp := admission.Allowed("").WithWarnings(verdict.Warnings(res.DryRun)...)
		resp.AuditAnnotations = map[string]string{verdict.AuditAnnotation: verdict.RuleIDs(res.DryRun)}
		return resp, decisionWarned, res
	}
	return admission.Allowed(""), decisionAllowed, res
}

func sameInputs(obj, old *objects.Object) bool {
	if obj.Pod != nil {
		return old.Pod != nil && obj.Pod.SameInputs(old.Pod)
	}
	return old.Binding != nil && obj.Binding.SameInputs(old.Binding)
}
