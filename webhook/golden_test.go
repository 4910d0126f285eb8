package webhook_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubeguard/kubeguard/internal/testgolden"
)

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
	if answer.Result != nil {
		// Go's encoding/json words its errors "cannot" or "unable to" at random, so that no program depends on
		// its words; the golden files hold "cannot".
		answer.Result.Message = strings.ReplaceAll(answer.Result.Message, "json: unable to ", "json: cannot ")
	}
	rendered, err := yaml.Marshal(answer)
	require.NoError(t, err)
	testgolden.Assert(t, golden, string(rendered), "go test ./webhook -update")
}

// checkUnusedGoldenAnswers fails a run of every test when a golden answer belongs to no test any more (under
// -update it removes it), so that a renamed or deleted case leaves no stale file behind.
func checkUnusedGoldenAnswers() int {
	return testgolden.CheckUnused(filepath.Join("testdata", "answers"), "go test ./webhook -update")
}
