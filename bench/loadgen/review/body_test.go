package review

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const review = `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"0b0c5b3e-59c5-4d8a-9d43-1b1f0e5e2a11","kind":{"group":"","version":"v1","kind":"Pod"},"object":{"metadata":{"uid":"7f1d2e77-0a55-4a51-8a3e-6a2b9c0d1e2f"}}}}`

func TestParseBodyReplacesOnlyTheRequestUID(t *testing.T) {
	b, err := Parse([]byte(review))
	require.NoError(t, err)

	var uid UID
	NewUID(&uid, 3, 42)
	sent := b.Append(nil, &uid)
	assert.Len(t, sent, b.Size())

	var got struct {
		Request struct {
			UID    string `json:"uid"`
			Object struct {
				Metadata struct {
					UID string `json:"uid"`
				} `json:"metadata"`
			} `json:"object"`
		} `json:"request"`
	}
	require.NoError(t, json.Unmarshal(sent, &got), string(sent))
	assert.Equal(t, string(uid[:]), got.Request.UID)
	assert.Equal(t, "7f1d2e77-0a55-4a51-8a3e-6a2b9c0d1e2f", got.Request.Object.Metadata.UID, "the object's own UID is left alone")
}

func TestParseBodyRejects(t *testing.T) {
	for name, data := range map[string]string{
		"not JSON":       `{"kind":`,
		"another kind":   `{"kind":"Pod","request":{"uid":"a"}}`,
		"no request":     `{"kind":"AdmissionReview"}`,
		"no UID":         `{"kind":"AdmissionReview","request":{"name":"x"}}`,
		"UID used twice": `{"kind":"AdmissionReview","request":{"uid":"same","name":"same"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(data))
			assert.Error(t, err)
		})
	}
}

func TestNewUIDIsAUniqueUUID(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	var uid UID
	for conn := range uint32(3) {
		for _, seq := range []uint64{0, 1, 255, 256, 1 << 40} {
			NewUID(&uid, conn, seq)
			s := string(uid[:])
			assert.Regexp(t, shape, s)
			assert.False(t, seen[s], "%s repeats", s)
			seen[s] = true
		}
	}
}

func TestLoadBodies(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pod.json")
	require.NoError(t, os.WriteFile(path, []byte(review), 0o644))

	bodies, err := Load([]string{path + "=denied"})
	require.NoError(t, err)
	require.Len(t, bodies, 1)
	assert.Equal(t, "pod", bodies[0].Name)
	assert.Equal(t, Denied, bodies[0].Expect)

	for _, arg := range []string{path, path + "=maybe", filepath.Join(dir, "missing.json") + "=allowed"} {
		_, err := Load([]string{arg})
		assert.Error(t, err, arg)
	}
}
