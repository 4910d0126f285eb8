package audit

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/internal/testgolden"
	"github.com/kubeguard/kubeguard/judgement"
)

// found is what identifies a finding without its words: which check or rule, on which object, with
// which decision, about which field, and the nodes and workloads it names. The words are in the goldens.
type found struct {
	Decision                    judgement.Decision
	Rule, Namespace, Kind, Name string
	Field                       string
	Nodes, Workloads            []string
}

func findingsOf(r *Report) []found {
	var out []found
	for _, f := range r.Findings {
		out = append(out, found{f.Decision, f.Rule, f.Namespace, f.Kind, f.Name, f.Field, f.Nodes, f.Workloads})
	}
	return out
}

var (
	wordStart  = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	acronymEnd = regexp.MustCompile(`([A-Z])([A-Z][a-z])`)
	notWord    = regexp.MustCompile(`[^a-z0-9]+`)
)

// goldenName turns a test's name into a file name: "TestDrainBlocked/maxUnavailable 0%" is
// drain-blocked/max-unavailable-0.txt.
func goldenName(test string) string {
	test = strings.TrimPrefix(test, "Test")
	parts := strings.Split(test, "/")
	for i, p := range parts {
		p = acronymEnd.ReplaceAllString(wordStart.ReplaceAllString(p, "$1-$2"), "$1-$2")
		parts[i] = strings.Trim(notWord.ReplaceAllString(strings.ToLower(p), "-"), "-")
	}
	return filepath.Join(parts...) + ".txt"
}

// assertTextGolden compares the report as kubeguard audit prints it (WriteText, the production output)
// with testdata/<test name>.txt, which -update rewrites. The tests assert what was found by identity; how
// it is said is checked here only, so that a change of words breaks the goldens and nothing else.
func assertTextGolden(t *testing.T, r *Report) {
	t.Helper()
	var b strings.Builder
	require.NoError(t, WriteText(&b, r))
	path := filepath.Join("testdata", goldenName(t.Name()))
	testgolden.Assert(t, path, b.String(), "go test ./audit -update")
}
