package webhook

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
)

// declaredDecisions reads the values of judgement's Decision constants from their declaration, so that a
// decision added there must be added to the README.
func declaredDecisions(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "judgement", "decision.go"), nil, 0)
	require.NoError(t, err)
	var out []string
	ast.Inspect(file, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		if typ, ok := spec.Type.(*ast.Ident); !ok || typ.Name != "Decision" {
			return true
		}
		for _, v := range spec.Values {
			lit, ok := v.(*ast.BasicLit)
			require.True(t, ok, "a Decision constant that is not a string literal")
			s, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			out = append(out, s)
		}
		return true
	})
	require.NotEmpty(t, out, "no Decision constants in judgement/decision.go")
	return out
}

var (
	// readmeMetric is one metric of the README's list: `name{label,...}`, then optionally
	// " (label: value, value)".
	readmeMetric = regexp.MustCompile("`(kubeguard_[a-z_]+)(?:\\{([a-z_,]*)\\})?`(?: \\(([a-z_]+): ([^)]*)\\))?")
)

// The README's list of metrics is the one kubeguard registers: every kubeguard_ metric with its labels,
// and the values of the decision and mode labels, so that the list cannot fall behind the code again.
func TestReadmeListsTheMetrics(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	_, list, found := strings.Cut(string(raw), "\nMetrics: ")
	require.True(t, found, `README.md has no "Metrics: " paragraph`)
	list, _, _ = strings.Cut(list, "\n\n")
	list = strings.Join(strings.Fields(list), " ")

	listed := map[string][]string{}
	values := map[string][]string{}
	for _, m := range readmeMetric.FindAllStringSubmatch(list, -1) {
		listed[m[1]] = nil
		if m[2] != "" {
			listed[m[1]] = strings.Split(m[2], ",")
		}
		if m[3] != "" {
			values[m[1]+"/"+m[3]] = strings.Split(m[4], ", ")
		}
	}
	registered, err := MetricLabels()
	require.NoError(t, err)
	require.NotEmpty(t, registered)
	assert.Equal(t, registered, listed, "README.md lists the metrics kubeguard registers, each with its labels in order")

	decisions := declaredDecisions(t)
	assert.ElementsMatch(t, decisions, values["kubeguard_admission_requests_total/decision"],
		"README.md lists every decision of judgement/decision.go")
	modes := []string{string(policy.Enforce), string(policy.DryRun), existingLabel}
	assert.ElementsMatch(t, modes, values["kubeguard_violations_total/mode"], "README.md lists every mode a violation is counted in")
	assert.True(t, slices.Contains(registered["kubeguard_admission_requests_total"], "decision"))
}
