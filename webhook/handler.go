package webhook

import (
	"net/http"
	"time"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
)

// Handler serves AdmissionReviews: it reads the review, hands the request to the judgement under Policy,
// and writes the answer.
type Handler struct {
	Policy *policy.Policy
	// AllDryRun treats every enabled rule as dry-run: the handler behind /validate/dry-run.
	AllDryRun bool
	// Metrics may be nil.
	Metrics *Metrics
	// Log receives refusals and panics; the zero Logger discards them.
	Log logr.Logger

	// bodies reads request bodies within the server's budget; nil reads without one.
	bodies *bodyReader
	// lifecycle says when the server drains before it stops; nil when it never does.
	lifecycle *Lifecycle
}

// draining reports whether the server is about to stop.
func (h *Handler) draining() bool { return h.lifecycle.Draining() }

// judge decides one request, records it, and returns the answer to send.
func (h *Handler) judge(uid types.UID, req *judgement.Request) admissionv1.AdmissionResponse {
	start := time.Now()
	v := judgement.Judge(h.Policy, req)
	h.Metrics.record(req.Operation, &v, time.Since(start).Seconds())
	if v.Decision.Refused() {
		h.Log.Info("refused an admission request", "uid", uid, "decision", v.Decision, "kind", req.Kind.Kind,
			"namespace", req.Namespace, "name", v.Name, "user", req.User, "reason", refusalReason(&v))
	}
	return answer(uid, &v)
}

// answer writes a verdict as an AdmissionResponse.
func answer(uid types.UID, v *judgement.Verdict) admissionv1.AdmissionResponse {
	resp := admissionv1.AdmissionResponse{UID: uid, Allowed: !v.Decision.Refused(), AuditAnnotations: v.AuditAnnotations()}
	switch v.Decision {
	case judgement.Denied:
		resp.Result = v.Denial()
	case judgement.Error:
		resp.Result = &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusBadRequest,
			Reason:  metav1.StatusReasonBadRequest,
			Message: v.Reason,
		}
	case judgement.Warned:
		resp.Warnings = v.Warnings()
	}
	return resp
}

// refusalReason is what the log says of a refusal: the broken rules, or why the object could not be judged.
func refusalReason(v *judgement.Verdict) string {
	if v.Decision == judgement.Denied {
		return "violates " + v.EnforcedRules()
	}
	return v.Reason
}
