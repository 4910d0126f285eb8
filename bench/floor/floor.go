// Package floor is the least a validating webhook written in Go can do: read the AdmissionReview, find its
// UID, and allow it. The benchmarks put it beside kubeguard, over the same TLS and HTTP server and registered
// the same way, so that what kubeguard costs on top of any webhook's round trip can be read off: the
// transport benchmark (go test -bench Transport ./webhook) and `make bench` (bin/kubeguard-floor).
//
// It judges nothing and admits everything: it exists to be measured, never to be deployed.
package floor

import (
	"io"
	"net/http"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// maxBodyBytes bounds a body as kubeguard's webhook.MaxRequestBytes does: two objects of the API server's
// largest size and the rest.
const maxBodyBytes = 7 << 20

// review is all the floor reads of an AdmissionReview; the JSON decoder skips the rest of the body (it still
// reads every byte, as any webhook must to find the end of the request).
type admissionReview struct {
	APIVersion string `json:"apiVersion"`
	Request    struct {
		UID string `json:"uid"`
	} `json:"request"`
}

// apiServerJSON reads JSON as leniently as the API server, and kubeguard, do: duplicate names and invalid
// UTF-8 are no reason to fail, which also spares the decoder the work of checking them.
var apiServerJSON = json.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// Handler allows every review, echoing its UID. A body that is not JSON gets a 400.
type Handler struct{}

func (Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var rev admissionReview
	if err := json.Unmarshal(body, &rev, apiServerJSON); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	apiVersion := rev.APIVersion
	if apiVersion == "" {
		apiVersion = "admission.k8s.io/v1"
	}
	out := make([]byte, 0, 160)
	out = append(out, `{"kind":"AdmissionReview","apiVersion":`...)
	out, _ = jsontext.AppendQuote(out, apiVersion)
	out = append(out, `,"response":{"uid":`...)
	out, _ = jsontext.AppendQuote(out, rev.Request.UID)
	out = append(out, `,"allowed":true}}`...)
	w.Header()["Content-Type"] = contentType
	_, _ = w.Write(out)
}

var contentType = []string{"application/json"}

// readBody reads a body of declared length into one buffer of that length, as the API server always
// declares it; any other body is read up to maxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > 0 && r.ContentLength <= maxBodyBytes {
		body := make([]byte, r.ContentLength)
		_, err := io.ReadFull(r.Body, body)
		return body, err
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
}
