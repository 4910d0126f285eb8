package floor

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

func TestTheFloorAllowsWithTheUID(t *testing.T) {
	body := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"7c3b\"e1","kind":{"kind":"Pod"},"object":{"spec":{"containers":[{"name":"a"}]}}}}`
	rec := httptest.NewRecorder()
	Handler{}.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/validate", strings.NewReader(body)))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	resp, err := review.ParseResponse(rec.Body.Bytes())
	require.NoError(t, err)
	assert.Equal(t, `7c3b"e1`, resp.UID)
	assert.Equal(t, review.Allowed, resp.Verdict())
}

func TestTheFloorRefusesWhatIsNotJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler{}.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/validate", strings.NewReader(`{"request":`)))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
}
