package judgement_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/judgement"
)

const examplesDir = "../examples"

// TestExamples keeps the manifests in examples/ honest: each decodes strictly into its kind's API type,
// leaves the namespace to kubectl apply -n, and gets the verdict its name promises.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)

	for _, file := range files {
		base := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(base, func(t *testing.T) {
			kind, verdict, ok := strings.Cut(base, "-")
			require.True(t, ok, "example names are <kind>-compliant.yaml or <kind>-noncompliant.yaml")

			typeMeta, v := judgeManifest(t, file)
			assert.Equal(t, kind, strings.ToLower(typeMeta.Kind), "file name names the object's kind")
			assert.Empty(t, v.Namespace, "examples leave the namespace to kubectl apply -n")

			switch verdict {
			case "compliant":
				assert.Equal(t, judgement.Allowed, v.Decision)
			case "noncompliant":
				require.Equal(t, judgement.Denied, v.Decision)
				// Bindings and budgets have one rule each; pods and templates show several.
				if !strings.Contains(typeMeta.Kind, "Binding") && typeMeta.Kind != "PodDisruptionBudget" {
					assert.GreaterOrEqual(t, len(distinctRules(v)), 2, "a non-compliant pod example shows several rules")
				}
				// As warnings, every violation of an example fits on one line of kubectl's output.
				for _, d := range v.Enforced {
					w := judgement.Warning(d)
					assert.LessOrEqual(t, len(w), 120, w)
				}
			default:
				t.Errorf("%s: the name must end in -compliant or -noncompliant", file)
			}
		})
	}
}

func distinctRules(v judgement.Verdict) map[string]bool {
	ids := map[string]bool{}
	for _, v := range v.Enforced {
		ids[v.Rule] = true
	}
	return ids
}
