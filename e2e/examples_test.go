package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// The manifests in examples/ are what `make demo` and the README show; each must get the verdict its
// name promises from a real API server, not only from kubeguard's rules: a manifest the API server
// itself rejects as invalid would show nothing about kubeguard.
func TestExamplesGetTheVerdictTheirNamePromises(t *testing.T) {
	root, err := framework.RepoRoot()
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join(root, "examples", "*compliant.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no examples/*-compliant.yaml or *-noncompliant.yaml")
	enforcing, dryRun := newNamespace(t, false), newNamespace(t, true)

	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			if isClusterScoped(t, file) {
				t.Cleanup(func() { kubectl(t, "delete", "-f", file, "--ignore-not-found") })
			}
			if !strings.HasSuffix(name, "-noncompliant.yaml") {
				assertAdmitted(t, kubectl(t, "apply", "-n", enforcing, "-f", file))
				return
			}

			res := kubectl(t, "apply", "-n", enforcing, "-f", file)
			assert.NotZero(t, res.ExitCode, "kubectl succeeded")
			assert.Contains(t, res.Stderr, `admission webhook "`+framework.WebhookName+`" denied the request`)

			// A namespace label cannot put a cluster-scoped object in dry-run.
			if !isClusterScoped(t, file) {
				res = kubectl(t, "apply", "-n", dryRun, "-f", file)
				assert.Zero(t, res.ExitCode, "kubectl failed")
				assert.NotEmpty(t, dryRunWarnings(res), "dry-run warnings")
			}
		})
	}
}

// isClusterScoped reports whether the manifest's object is one of the cluster-scoped kinds kubeguard
// judges.
func isClusterScoped(t *testing.T, file string) bool {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var object struct {
		Kind string `json:"kind"`
	}
	require.NoError(t, yaml.Unmarshal(data, &object), "%s must hold one object", file)
	return object.Kind == "ClusterRoleBinding"
}
