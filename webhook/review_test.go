package webhook

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// The bare "allowed" answer is written by hand; it must read back exactly as the reflective encoding of
// the same response does, whatever the UID and version hold.
func TestWriteReviewPlainAllowMatchesEncoding(t *testing.T) {
	tests := []struct {
		name       string
		apiVersion string
		uid        types.UID
		wantAPI    string
	}{
		{name: "v1", apiVersion: "admission.k8s.io/v1", uid: "0b7c6c6e-5f3a-4b1e-9d1c-2f3e4a5b6c7d", wantAPI: "admission.k8s.io/v1"},
		{name: "v1beta1 answered in kind", apiVersion: "admission.k8s.io/v1beta1", uid: "u", wantAPI: "admission.k8s.io/v1beta1"},
		{name: "unknown version answered in v1", apiVersion: "example.com/v9", uid: "u", wantAPI: "admission.k8s.io/v1"},
		{name: "UID needing escapes", apiVersion: "admission.k8s.io/v1", uid: "a\"b\\c\n\u2028<>&\x01", wantAPI: "admission.k8s.io/v1"},
		{name: "empty UID", apiVersion: "admission.k8s.io/v1", uid: "", wantAPI: "admission.k8s.io/v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			resp := &admissionv1.AdmissionResponse{UID: tt.uid, Allowed: true}
			require.True(t, isPlainAllow(resp))

			writeReview(rec, http.StatusOK, tt.apiVersion, resp)

			assert.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			var got admissionv1.AdmissionReview
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got), rec.Body.String())
			assert.Equal(t, admissionv1.AdmissionReview{
				TypeMeta: metav1.TypeMeta{APIVersion: tt.wantAPI, Kind: "AdmissionReview"},
				Response: &admissionv1.AdmissionResponse{UID: tt.uid, Allowed: true},
			}, got)
		})
	}
}

func TestIsPlainAllow(t *testing.T) {
	patchType := admissionv1.PatchTypeJSONPatch
	tests := []struct {
		name string
		resp admissionv1.AdmissionResponse
		want bool
	}{
		{name: "allowed", resp: admissionv1.AdmissionResponse{Allowed: true}, want: true},
		{name: "denied", resp: admissionv1.AdmissionResponse{Result: &metav1.Status{Code: 403}}},
		{name: "allowed with a status", resp: admissionv1.AdmissionResponse{Allowed: true, Result: &metav1.Status{Code: 200}}},
		{name: "warnings", resp: admissionv1.AdmissionResponse{Allowed: true, Warnings: []string{"w"}}},
		{name: "audit annotations", resp: admissionv1.AdmissionResponse{Allowed: true, AuditAnnotations: map[string]string{"k": "v"}}},
		{name: "patch", resp: admissionv1.AdmissionResponse{Allowed: true, Patch: []byte("[]"), PatchType: &patchType}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, isPlainAllow(&tt.resp))
		})
	}
}
