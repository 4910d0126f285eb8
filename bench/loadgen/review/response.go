package review

import (
	"encoding/json"
	"fmt"
)

// Response is what is checked of an answer.
type Response struct {
	UID     string `json:"uid"`
	Allowed bool   `json:"allowed"`
	Status  *struct {
		Code    int32  `json:"code"`
		Message string `json:"message"`
	} `json:"status"`
}

// Verdict is the answer's verdict.
func (r *Response) Verdict() Verdict {
	if r.Allowed {
		return Allowed
	}
	return Denied
}

// Code is the status code of the answer's result, 0 when it has none.
func (r *Response) Code() int32 {
	if r.Status == nil {
		return 0
	}
	return r.Status.Code
}

// Message is the answer's status message.
func (r *Response) Message() string {
	if r.Status == nil {
		return "(no status)"
	}
	return r.Status.Message
}

// ParseResponse reads an AdmissionReview answer.
func ParseResponse(data []byte) (*Response, error) {
	var review struct {
		APIVersion string    `json:"apiVersion"`
		Kind       string    `json:"kind"`
		Response   *Response `json:"response"`
	}
	if err := json.Unmarshal(data, &review); err != nil {
		return nil, fmt.Errorf("response is not JSON: %v: %s", err, Truncate(data))
	}
	if review.Kind != "AdmissionReview" || review.Response == nil {
		return nil, fmt.Errorf("response is not an AdmissionReview with a response: %s", Truncate(data))
	}
	return review.Response, nil
}

// Truncate shortens what a server sent to what an error message can show.
func Truncate(b []byte) string {
	const limit = 300
	if len(b) > limit {
		return string(b[:limit]) + "…"
	}
	return string(b)
}
