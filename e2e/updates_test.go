package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/e2e/framework"
	"github.com/kubeguard/kubeguard/judgement"
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

// A legacy Deployment whose pod runs as root, admitted before its namespace enforced, may still be
// updated in ways that add nothing (a new image, a read-only root filesystem), but a new container would inherit the pod's root: the
// real API server refuses the update through kubeguard, naming the pod-level field.
func TestNewContainerInheritingPodRootIsRefused(t *testing.T) {
	ns := newNamespace(t, true)
	deployments := workloads[1]
	require.Equal(t, "Deployment", deployments.kind)
	const name = "legacy"
	legacy := compliantPodSpec()
	legacy.SecurityContext.RunAsUser = new(int64(0))
	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, name, deployments.build(name, legacy)))
	require.Zero(t, res.ExitCode, "creating the legacy deployment in dry-run")

	res = kubectl(t, "label", "namespace", ns, framework.ModeLabel+"-")
	require.Zero(t, res.ExitCode, "removing the dry-run label")
	waitForEnforcement(t, ns)

	res = kubectl(t, "set", "image", "-n", ns, "deployment/"+name, "app=registry.example/app:1.1")
	assert.Zero(t, res.ExitCode, "a new image adds nothing")
	res = kubectl(t, "patch", "-n", ns, "deployment", name, "-p",
		`{"spec":{"template":{"spec":{"containers":[{"name":"app","securityContext":{"readOnlyRootFilesystem":true}}]}}}}`)
	assert.Zero(t, res.ExitCode, "hardening a container adds nothing")
	var existing []string
	for _, w := range warnings(res) {
		if strings.HasPrefix(w, judgement.ExistingPrefix) {
			existing = append(existing, w)
		}
	}
	if assert.Len(t, existing, 1, "warnings of what the workload already had") {
		assert.Contains(t, existing[0], "run-as-root")
		for _, c := range []string{"app", "sidecar"} {
			assert.Contains(t, existing[0], strconv.Quote(c), "the warning names every container that inherits the value")
		}
	}

	withEvil := compliantPodSpec()
	withEvil.SecurityContext.RunAsUser = new(int64(0))
	evil := withEvil.Containers[1]
	evil.Name = "evil"
	withEvil.Containers = append(withEvil.Containers, evil)
	res = kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, name+"-evil", deployments.build(name, withEvil)))
	assert.NotZero(t, res.ExitCode, "the update that adds a root container is admitted")
	lines := deniedLines(t, res, deployments.resource, name)
	assertViolationLines(t, lines, []violation{{rule: "run-as-root", field: "spec.template.spec.securityContext.runAsUser"}})
	for _, c := range []string{"app", "sidecar", "evil"} {
		assert.Contains(t, strings.Join(lines, "\n"), strconv.Quote(c), "the line names every container that inherits the value")
	}
	assert.NotContains(t, res.Stderr, "Warning:", "a denial carries warnings")

	res = kubectl(t, "get", "-n", ns, "deployment", name, "-o", `jsonpath={.spec.template.spec.containers[*].name}`)
	require.Zero(t, res.ExitCode)
	assert.Equal(t, "app sidecar", res.Stdout, "the stored deployment is unchanged")
}
