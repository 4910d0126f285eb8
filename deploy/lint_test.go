package deploy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLint runs `helm lint --strict` (warnings fail) with every values set.
func TestLint(t *testing.T) {
	h := newHelm(t)
	for _, set := range valueSets {
		t.Run(set, func(t *testing.T) {
			res := h.run(t, "lint", "--strict", chartDir, "--namespace", releaseNamespace, "--values", valuesFile(set))
			require.Zero(t, res.ExitCode, res.String())
			assert.Contains(t, res.Stdout, "1 chart(s) linted, 0 chart(s) failed")
			assert.NotContains(t, res.Stdout, "[WARNING]")
			assert.NotContains(t, res.Stdout, "[ERROR]")
		})
	}
}
