package rules

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

			obj := readObject(t, file)
			assert.Equal(t, kind, strings.ToLower(obj.kind), "file name names the object's kind")
			assert.Empty(t, obj.namespace, "examples leave the namespace to kubectl apply -n")

			opts := DefaultOptions()
			got := obj.evaluate(&opts)
			for _, v := range got {
				t.Log(messageLine(v))
			}
			switch verdict {
			case "compliant":
				assert.Empty(t, got)
			case "noncompliant":
				require.NotEmpty(t, got)
				if obj.pod != nil {
					assert.GreaterOrEqual(t, len(distinctRules(got)), 2, "a non-compliant pod example shows several rules")
				}
			default:
				t.Errorf("%s: the name must end in -compliant or -noncompliant", file)
			}
		})
	}
}

func distinctRules(vs []Violation) map[string]bool {
	ids := map[string]bool{}
	for _, v := range vs {
		ids[v.Rule] = true
	}
	return ids
}
