package deploy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// TestChartPassesKubeguardCheck runs every rendering through `kubeguard check`: the chart's own pods
// obey the rules kubeguard enforces. A copy of the default rendering with a privileged container shows
// that check does read the chart's Deployment.
func TestChartPassesKubeguardCheck(t *testing.T) {
	path, err := framework.Binary("kubeguard")
	require.NoError(t, err)
	kubeguard := &framework.CLI{Path: path}
	h := newHelm(t)
	check := func(t *testing.T, manifests string) framework.Result {
		t.Helper()
		res, err := kubeguard.RunWithInput(t.Context(), strings.NewReader(manifests), "check", "-")
		require.NoError(t, err)
		return res
	}
	for _, set := range valueSets {
		t.Run(set, func(t *testing.T) {
			res := check(t, h.template(t, []string{valuesFile(set)}))
			assert.Zero(t, res.ExitCode, res.String())
		})
	}
	t.Run("privileged copy is caught", func(t *testing.T) {
		rendered := h.template(t, []string{valuesFile("default")})
		require.Contains(t, rendered, "privileged: false")
		res := check(t, strings.Replace(rendered, "privileged: false", "privileged: true", 1))
		assert.Equal(t, 1, res.ExitCode, res.String())
		assert.Contains(t, res.Stdout+res.Stderr, "privileged")
	})
}
