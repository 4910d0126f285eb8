package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kubeguard/kubeguard/internal/testgolden"
)

// violationsDir holds one golden file per rule table, testdata/violations/<rule ID>.txt: the words of every
// case's violations, so that the rule's code is the one place they are written and a rewording shows in
// one reviewed diff.
var violationsDir = filepath.Join("testdata", "violations")

const rerunViolations = "go test ./rules -update"

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		code = testgolden.CheckUnused(violationsDir, rerunViolations)
	}
	os.Exit(code)
}

// goldenWriters maps a rule ID to the test that writes its golden file, which must be the only one.
var goldenWriters sync.Map

// judged is one case of a rule's table: the violations expected, by identity, and those the rule found.
type judged struct {
	name      string
	want, got []Violation
}

// assertJudged compares, in a subtest per case, the violations each case got with those it wants by rule,
// field, container and affected containers, in order, and requires every violation to say what is wrong
// and what to do; it then compares every case's words, in case order, with the rule's golden file. The
// golden file is written from every case even when -run picks some, so that it never depends on the run.
func assertJudged(t *testing.T, id string, cases []judged) {
	t.Helper()
	if first, taken := goldenWriters.LoadOrStore(id, t.Name()); taken && first != t.Name() {
		t.Fatalf("%s and %s both write the golden file of rule %s: give the rule one table", first, t.Name(), id)
	}
	var words strings.Builder
	for _, c := range cases {
		writeWords(&words, c.name, c.got)
		t.Run(c.name, func(t *testing.T) {
			for _, v := range c.got {
				assert.NotEmpty(t, v.Problem, "%s %s: a violation says what is wrong", v.Rule, v.Field)
				assert.NotEmpty(t, v.Fix, "%s %s: a violation says what to set instead", v.Rule, v.Field)
			}
			got := withoutWords(c.got)
			if len(c.want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, c.want, got)
		})
	}
	testgolden.Assert(t, filepath.Join(violationsDir, id+".txt"), words.String(), rerunViolations)
}

// writeWords writes a case as a developer reads its violations: its name, then one line per violation.
func writeWords(b *strings.Builder, name string, vs []Violation) {
	fmt.Fprintf(b, "== %s\n", name)
	if len(vs) == 0 {
		b.WriteString("no violations\n")
	}
	for _, v := range vs {
		b.WriteString(v.Field)
		if v.Container != "" {
			fmt.Fprintf(b, " [%s]", v.Container)
		}
		fmt.Fprintf(b, ": %s — %s\n", v.Problem, v.Fix)
	}
}

// withoutWords keeps what identifies the violations: it clears their words, which the golden files hold,
// and what they are about for ratcheting, which identity_test.go tests.
func withoutWords(vs []Violation) []Violation {
	out := make([]Violation, len(vs))
	for i, v := range vs {
		v.Problem, v.Fix, v.Identity = "", "", Identity{}
		out[i] = v
	}
	return out
}

// violation is a violation as the tests expect it: by rule, field path and container (empty for pod-level fields
// and bindings).
func violation(rule, field, container string) Violation {
	return Violation{Rule: rule, Field: field, Container: container}
}
