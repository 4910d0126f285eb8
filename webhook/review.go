package webhook

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
)

// admissionReview is what kubeguard reads of an AdmissionReview: the request's identity and, decoded in the
// same pass, the parts of its objects that the rules read. Everything else is skipped, not copied.
type admissionReview struct {
	APIVersion string         `json:"apiVersion"`
	Request    *reviewRequest `json:"request"`
}

type reviewRequest struct {
	requestHeader
	Object    objects.Document `json:"object"`
	OldObject objects.Document `json:"oldObject"`
}

// requestHeader is an admission request without its objects.
type requestHeader struct {
	UID         types.UID               `json:"uid"`
	Kind        metav1.GroupVersionKind `json:"kind"`
	SubResource string                  `json:"subResource"`
	Name        string                  `json:"name"`
	Namespace   string                  `json:"namespace"`
	Operation   admissionv1.Operation   `json:"operation"`
	UserInfo    struct {
		Username string         `json:"username"`
		Groups   []string       `json:"groups"`
		Extra    objects.Unread `json:"extra"`
	} `json:"userInfo"`
	// Members nobody reads, stepped over in one scan of their bytes.
	Resource        objects.Unread `json:"resource"`
	RequestKind     objects.Unread `json:"requestKind"`
	RequestResource objects.Unread `json:"requestResource"`
	Options         objects.Unread `json:"options"`
}

// headerReview reads a review without its objects, for when they cannot be read.
type headerReview struct {
	APIVersion string         `json:"apiVersion"`
	Request    *requestHeader `json:"request"`
}

// judgementRequest is what the judgement needs of the request, its objects aside.
func (r *requestHeader) judgementRequest(allDryRun bool) judgement.Request {
	return judgement.Request{
		Kind:        schema.GroupKind{Group: r.Kind.Group, Kind: r.Kind.Kind},
		SubResource: r.SubResource,
		Operation:   r.Operation,
		Name:        r.Name,
		Namespace:   r.Namespace,
		User:        r.UserInfo.Username,
		Groups:      r.UserInfo.Groups,
		AllDryRun:   allDryRun,
	}
}

// ServeHTTP reads an AdmissionReview in one pass, judges it, and writes the AdmissionReview answer. Bodies
// that are not an AdmissionReview get a 400 and oversized ones a 413. Once the request's UID is known, every
// answer carries it, a panic included: an answer without the UID counts as a failed call, which
// failurePolicy: Ignore would let through.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			h.recovered(w, p, nil)
		}
	}()
	start := time.Now()
	bodyBy, answerBy := deadlines(r, start)
	_ = http.NewResponseController(w).SetWriteDeadline(start.Add(requestTimeout))
	if h.draining() {
		// Clients reconnect, and reach a replica that is not stopping.
		w.Header().Set("Connection", "close")
	}

	if r.Method != http.MethodPost {
		writeReview(w, http.StatusMethodNotAllowed, "", errorResponse("", http.StatusMethodNotAllowed, "kubeguard accepts only POST"))
		return
	}
	if contentType := r.Header.Get("Content-Type"); contentType != "application/json" && !isJSON(contentType) {
		msg := fmt.Sprintf("content type %q is not application/json", r.Header.Get("Content-Type"))
		writeReview(w, http.StatusBadRequest, "", errorResponse("", http.StatusBadRequest, msg))
		return
	}
	b, code, err := h.bodies.read(w, r, bodyBy, answerBy)
	if err != nil {
		if code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", retryAfter)
		}
		writeReview(w, code, "", errorResponse("", int32(code), err.Error()))
		return
	}
	defer b.release()
	// Registered after the body's release, so that it runs first: it still reads the body for the UID.
	defer func() {
		if p := recover(); p != nil {
			h.recovered(w, p, b.bytes())
		}
	}()
	if abandoned(r, answerBy) {
		return
	}

	var review admissionReview
	if err := objects.Unmarshal(b.bytes(), &review); err != nil {
		// A review whose objects cannot be read is still judged on its request alone: what kubeguard never
		// judges (a DELETE, a status update) is allowed as usual, and what it judges is refused as unreadable,
		// with the request's UID so that the API server takes it as a refusal.
		var header headerReview
		if objects.Unmarshal(b.bytes(), &header) != nil || header.Request == nil {
			writeReview(w, http.StatusBadRequest, "", errorResponse("", http.StatusBadRequest, fmt.Sprintf("the body is not an AdmissionReview: %v", err)))
			return
		}
		req := header.Request.judgementRequest(h.AllDryRun)
		req.Unreadable = err
		resp := h.judge(header.Request.UID, &req)
		writeReview(w, http.StatusOK, header.APIVersion, &resp)
		return
	}
	if review.Request == nil {
		writeReview(w, http.StatusBadRequest, review.APIVersion, errorResponse("", http.StatusBadRequest, "the AdmissionReview has no request"))
		return
	}
	if abandoned(r, answerBy) {
		return
	}
	req := review.Request.judgementRequest(h.AllDryRun)
	req.Object, req.OldObject = &review.Request.Object, &review.Request.OldObject
	resp := h.judge(review.Request.UID, &req)
	writeReview(w, http.StatusOK, review.APIVersion, &resp)
}

// isJSON reports whether a Content-Type other than the API server's plain "application/json" still names
// JSON ("application/json; charset=utf-8").
func isJSON(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "application/json"
}

// recovered answers a request whose judging panicked: a refusal, with the request's UID when the body
// shows one, so that the API server takes it as an answer and no failurePolicy lets the object in unjudged.
// The panic is logged and counted: it is a bug to fix.
func (h *Handler) recovered(w http.ResponseWriter, p any, body []byte) {
	header := reviewHeaderOf(body)
	var uid types.UID
	var apiVersion string
	if header != nil {
		apiVersion = header.APIVersion
		if header.Request != nil {
			uid = header.Request.UID
		}
	}
	h.Metrics.recordPanic()
	h.Log.Error(fmt.Errorf("panic: %v", p), "judging an admission request failed; refused it", "uid", uid, "stack", string(debug.Stack()))
	writeReview(w, http.StatusOK, apiVersion, errorResponse(uid, http.StatusInternalServerError, "kubeguard failed to judge the request, and refuses it"))
}

// reviewHeaderOf reads the review's apiVersion and request header, or returns nil when the body does not
// have them or reading them fails in any way.
func reviewHeaderOf(body []byte) (header *headerReview) {
	defer func() {
		if recover() != nil {
			header = nil
		}
	}()
	var h headerReview
	if len(body) == 0 || objects.Unmarshal(body, &h) != nil {
		return nil
	}
	return &h
}

func errorResponse(uid types.UID, code int32, msg string) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{UID: uid, Result: &metav1.Status{Status: metav1.StatusFailure, Code: code, Message: msg}}
}

// reviewGroupVersions are the AdmissionReview versions kubeguard answers in; it answers in the version it
// was asked in.
var reviewGroupVersions = map[string]bool{
	admissionv1.SchemeGroupVersion.String(): true,
	"admission.k8s.io/v1beta1":              true,
}

// writeReview writes resp in an AdmissionReview of apiVersion (v1 when unknown).
func writeReview(w io.Writer, code int, apiVersion string, resp *admissionv1.AdmissionResponse) {
	if !reviewGroupVersions[apiVersion] {
		apiVersion = admissionv1.SchemeGroupVersion.String()
	}
	if hw, ok := w.(http.ResponseWriter); ok {
		hw.Header()["Content-Type"] = jsonContentType
		hw.WriteHeader(code)
	}
	// A failed write means the client is gone; there is nobody left to tell.
	if isPlainAllow(resp) {
		pooled := allowBuffers.Get().(*[]byte)
		defer allowBuffers.Put(pooled)
		buf := append((*pooled)[:0], `{"kind":"AdmissionReview","apiVersion":`...)
		buf, _ = jsontext.AppendQuote(buf, apiVersion)
		buf = append(buf, `,"response":{"uid":`...)
		buf, _ = jsontext.AppendQuote(buf, string(resp.UID))
		buf = append(buf, `,"allowed":true}}`...)
		_, _ = w.Write(buf)
		if cap(buf) <= maxAllowBuffer {
			*pooled = buf
		}
		return
	}
	review := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: "AdmissionReview"},
		Response: resp,
	}
	_ = json.MarshalWrite(w, &review)
}

// allowBuffers hold the bare "allowed" answers as they are written: the answer to most requests, written
// without allocating. A buffer that grew past maxAllowBuffer (a UID of kilobytes) is not kept.
var allowBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

const maxAllowBuffer = 1 << 10

// jsonContentType is shared by every response, so that setting the header allocates nothing.
var jsonContentType = []string{"application/json"}

// isPlainAllow reports whether resp is a bare "allowed", the answer to most requests, which is written
// without going through reflection.
func isPlainAllow(resp *admissionv1.AdmissionResponse) bool {
	return resp.Allowed && resp.Result == nil && len(resp.Warnings) == 0 && len(resp.AuditAnnotations) == 0 &&
		resp.Patch == nil && resp.PatchType == nil
}
