package rules

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update rewrites the golden files from the rules' current output: go test ./rules -update. Review the diff
// before committing it; the golden files are never edited by hand.
var update = flag.Bool("update", false, "rewrite rules/testdata golden files from the current output")

const fixturesDir = "testdata/fixtures"

// TestFixtures judges every manifest in testdata/fixtures with the default options and compares the
// violations with the manifest's golden file (one message line per violation, empty when there is none). Files named pass-* must give no violation and fail-* at least
// one, whatever their golden file says.
func TestFixtures(t *testing.T) {
	manifests, err := filepath.Glob(filepath.Join(fixturesDir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, manifests)

	expectedGolden := map[string]bool{}
	for _, manifest := range manifests {
		name := strings.TrimSuffix(filepath.Base(manifest), ".yaml")
		golden := filepath.Join(fixturesDir, name+".golden")
		expectedGolden[golden] = true

		t.Run(name, func(t *testing.T) {
			opts := DefaultOptions()
			got := readObject(t, manifest).evaluate(&opts)

			switch {
			case strings.HasPrefix(name, "pass-"):
				assert.Empty(t, got, "a pass- fixture must satisfy every rule")
			case strings.HasPrefix(name, "fail-"):
				assert.NotEmpty(t, got, "a fail- fixture must break at least one rule")
			default:
				t.Errorf("fixture %s must be named pass-* or fail-*", manifest)
			}

			rendered := renderGolden(got)
			if *update {
				require.NoError(t, os.WriteFile(golden, rendered, 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden file: run go test ./rules -update")
			assert.Equal(t, string(want), string(rendered), "violations differ from %s (go test ./rules -update rewrites it)", golden)
		})
	}

	goldens, err := filepath.Glob(filepath.Join(fixturesDir, "*.golden"))
	require.NoError(t, err)
	for _, golden := range goldens {
		if expectedGolden[golden] {
			continue
		}
		if *update {
			require.NoError(t, os.Remove(golden))
			continue
		}
		t.Errorf("golden file %s has no manifest: remove it, or run go test ./rules -update", golden)
	}
}

// renderGolden writes one violation a line, as the webhook lists them under a denial, so that a reviewer
// reads the golden files as a developer would read the messages.
func renderGolden(vs []Violation) []byte {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(messageLine(v) + "\n")
	}
	return []byte(b.String())
}
