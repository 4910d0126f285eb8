// Package deploy holds the tests of what kubeguard ships: the Helm chart in charts/kubeguard and the
// container image `make image` builds with the program in image/. The chart tests drive the real helm
// and kubectl binaries that `make tools` builds into bin/, as cluster admins do, and install the chart
// into a real API server (e2e/framework).
package deploy

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

const (
	chartDir = "charts/kubeguard"
	// The release every rendering uses, so that names in the golden files are stable.
	releaseName      = "kubeguard"
	releaseNamespace = "kubeguard"
)

// valueSets name the values files under testdata/values; each is rendered to testdata/golden/<name>.yaml.
var valueSets = []string{"default", "cert-manager", "url", "dry-run", "options", "digest"}

func valuesFile(set string) string {
	return filepath.Join("testdata", "values", set+".yaml")
}

// helm runs bin/helm for offline commands (lint, template). Its kubeconfig names a file that does not
// exist, so that no cluster on the machine can change what it renders.
type helm struct{ cli *framework.CLI }

func newHelm(t *testing.T) *helm {
	t.Helper()
	home := t.TempDir()
	cli, err := framework.Helm(filepath.Join(home, "no-cluster"), home)
	require.NoError(t, err)
	return &helm{cli: cli}
}

// run runs helm; a non-zero exit is in the result, for the test to assert on.
func (h *helm) run(t *testing.T, args ...string) framework.Result {
	t.Helper()
	res, err := h.cli.Run(t.Context(), args...)
	require.NoError(t, err)
	return res
}

// template renders the chart as release kubeguard in namespace kubeguard with the given values files
// and extra arguments, failing the test when helm does.
func (h *helm) template(t *testing.T, values []string, extra ...string) string {
	t.Helper()
	args := []string{"template", releaseName, chartDir, "--namespace", releaseNamespace}
	for _, v := range values {
		args = append(args, "--values", v)
	}
	res := h.run(t, append(args, extra...)...)
	require.Zero(t, res.ExitCode, res.String())
	return res.Stdout
}
