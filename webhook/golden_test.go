package webhook_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/yaml"
)

// update rewrites the golden answers from the current output: go test ./webhook -update. Review the diff
// before committing it; the golden files are never edited by hand.
var update = flag.Bool("update", false, "rewrite webhook/testdata/answers from the current answers")

// unsafeInPath is what a test name may hold that a file name on some systems may not.
var unsafeInPath = regexp.MustCompile(`[^A-Za-z0-9._/-]+`)

// goldenAnswerPath is the golden file of the answer a test gets, testdata/answers/<test name>.yaml, or of one
// of its answers, testdata/answers/<test name>/<answer>.yaml.
func goldenAnswerPath(t *testing.T, answer ...string) string {
	name := filepath.Join(append([]string{t.Name()}, answer...)...)
	return filepath.Join("testdata", "answers", unsafeInPath.ReplaceAllString(name, "_")+".yaml")
}

// assertGoldenAnswer compares an answer, as the API server reads it but without the request's UID, with its
// golden file: the words kubectl shows, the warnings and the audit annotations.
func assertGoldenAnswer(t *testing.T, golden string, got *admissionv1.AdmissionResponse) {
	t.Helper()
	answer := got.DeepCopy()
	answer.UID = ""
	rendered, err := yaml.Marshal(answer)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
		require.NoError(t, os.WriteFile(golden, rendered, 0o644))
		return
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "missing golden file: run go test ./webhook -update")
	assert.Equal(t, string(want), string(rendered), "the answer differs from %s (go test ./webhook -update rewrites it)", golden)
}
