package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// An object admitted while its namespace was in dry-run keeps its violations when the namespace
// starts enforcing. Changes that do not touch what the rules read, such as labels and annotations,
// must still go through, or teams could not even relabel what they already run.
func TestObjectAdmittedInDryRunCanBeRelabelledOnceEnforced(t *testing.T) {
	ns := newNamespace(t, true)
	deployments := workloads[1]
	require.Equal(t, "Deployment", deployments.kind)
	const name = "web"
	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, name, deployments.build(name, noncompliantPodSpec())))
	assertDryRunWarnings(t, res, noncompliantViolations(deployments.specPath))

	res = kubectl(t, "label", "namespace", ns, framework.ModeLabel+"-")
	require.Zero(t, res.ExitCode, "removing the dry-run label")
	// The API server reads namespace labels from a cache: wait until the namespace is enforced, which
	// a server-side dry-run of a new non-compliant pod shows.
	probe := manifestFile(t, "probe", workloads[0].build("probe", noncompliantPodSpec()))
	require.Eventually(t, func() bool {
		return kubectl(t, "apply", "--dry-run=server", "-n", ns, "-f", probe).ExitCode != 0
	}, time.Minute, 200*time.Millisecond, "the namespace never started enforcing")

	res = kubectl(t, "label", "-n", ns, "deployment", name, "team=payments")
	assert.Zero(t, res.ExitCode, "labelling the deployment")
	assert.NotContains(t, res.Stderr, "denied")

	res = kubectl(t, "annotate", "-n", ns, "deployment", name, "kubeguard.io/reviewed-by=security")
	assert.Zero(t, res.ExitCode, "annotating the deployment")
	assert.NotContains(t, res.Stderr, "denied")

	res = kubectl(t, "get", "-n", ns, "deployment", name, "-o", `jsonpath={.metadata.labels.team} {.metadata.annotations.kubeguard\.io/reviewed-by}`)
	require.Zero(t, res.ExitCode)
	assert.Equal(t, "payments security", res.Stdout)
}
