package judgement_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/internal/testgolden"
	"github.com/kubeguard/kubeguard/judgement"
)

const fixturesDir = "testdata/fixtures"

// TestFixtures judges the creation of every manifest in testdata/fixtures under the default policy and
// compares the answer with the manifest's golden file: the denial's message as kubectl shows it, or
// "allowed". Files named pass-* must be allowed and fail-* denied, whatever their golden file says.
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
			_, v := judgeManifest(t, manifest)

			switch {
			case strings.HasPrefix(name, "pass-"):
				assert.Equal(t, judgement.Allowed, v.Decision, "a pass- fixture must satisfy every rule")
			case strings.HasPrefix(name, "fail-"):
				assert.Equal(t, judgement.Denied, v.Decision, "a fail- fixture must break at least one rule")
			default:
				t.Errorf("fixture %s must be named pass-* or fail-*", manifest)
			}

			rendered := renderGolden(&v)
			testgolden.Assert(t, golden, string(rendered), "go test ./judgement -update")
		})
	}

	goldens, err := filepath.Glob(filepath.Join(fixturesDir, "*.golden"))
	require.NoError(t, err)
	for _, golden := range goldens {
		if expectedGolden[golden] {
			continue
		}
		if testgolden.Updating() {
			require.NoError(t, os.Remove(golden))
			continue
		}
		t.Errorf("golden file %s has no manifest: remove it, or run go test ./judgement -update", golden)
	}
}

// renderGolden writes the answer as a developer reads it: the denial's message, one violation a line.
func renderGolden(v *judgement.Verdict) []byte {
	if v.Decision != judgement.Denied {
		return []byte(string(v.Decision) + "\n")
	}
	return []byte(v.Denial().Message + "\n")
}
