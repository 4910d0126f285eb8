package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// installAuditRBAC applies the chart's audit ServiceAccount, ClusterRole and binding, released as name in
// ns, and returns the ServiceAccount's user name.
func installAuditRBAC(t *testing.T, name, ns string) string {
	t.Helper()
	root, err := framework.RepoRoot()
	require.NoError(t, err)
	helm, err := framework.Helm(cluster.ControlPlane.Kubeconfig, t.TempDir())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	res, err := helm.Run(ctx, "template", name, filepath.Join(root, "deploy", "charts", "kubeguard"), "-n", ns,
		"--set", "audit.enabled=true",
		"--show-only", "templates/serviceaccount-audit.yaml", "--show-only", "templates/clusterrole-audit.yaml")
	require.NoError(t, err)
	require.Zero(t, res.ExitCode, res.String())
	manifest := filepath.Join(t.TempDir(), "rbac.yaml")
	require.NoError(t, os.WriteFile(manifest, []byte(res.Stdout), 0o644))
	require.Zero(t, kubectl(t, "apply", "-n", ns, "-f", manifest).ExitCode)
	t.Cleanup(func() { kubectl(t, "delete", "--ignore-not-found", "-n", ns, "-f", manifest) })
	return fmt.Sprintf("system:serviceaccount:%s:%s-kubeguard-audit", ns, name)
}

// TestAuditRBACIsEnoughAndNoMore asks the API server what the chart's audit ServiceAccount may do, then
// runs kubeguard audit --write-reports with its token.
func TestAuditRBACIsEnoughAndNoMore(t *testing.T) {
	installReportCRDs(t)
	ns := auditedNamespace(t)
	user := installAuditRBAC(t, "rbac", ns)

	canI := func(verb, resource string) bool {
		res := kubectl(t, "auth", "can-i", verb, resource, "--all-namespaces", "--as", user)
		return strings.TrimSpace(res.Stdout) == "yes"
	}
	for _, resource := range []string{
		"namespaces", "pods", "podtemplates", "replicationcontrollers", "deployments.apps", "replicasets.apps",
		"statefulsets.apps", "daemonsets.apps", "jobs.batch", "cronjobs.batch", "rolebindings.rbac.authorization.k8s.io",
		"clusterrolebindings.rbac.authorization.k8s.io", "networkpolicies.networking.k8s.io",
		"poddisruptionbudgets.policy", "horizontalpodautoscalers.autoscaling",
	} {
		assert.True(t, canI("list", resource), "cannot list %s", resource)
		assert.False(t, canI("get", resource), "may get %s", resource)
		assert.False(t, canI("watch", resource), "may watch %s", resource)
		assert.False(t, canI("create", resource), "may create %s", resource)
	}
	// Its own reports by name, and no one else's: a tenant's Report of another name, or of kubeguard's
	// name created first, is not the audit's to overwrite or delete. Kubernetes cannot narrow create by
	// name.
	for _, resource := range []string{"reports.openreports.io", "clusterreports.openreports.io"} {
		assert.True(t, canI("create", resource), "cannot create %s", resource)
		for _, verb := range []string{"get", "list", "update", "delete"} {
			assert.True(t, canI(verb, resource+"/kubeguard-audit"), "cannot %s its own %s", verb, resource)
			assert.False(t, canI(verb, resource+"/team-report"), "may %s another name's %s", verb, resource)
			assert.False(t, canI(verb, resource), "may %s every %s", verb, resource)
		}
		for _, verb := range []string{"patch", "watch", "deletecollection"} {
			assert.False(t, canI(verb, resource+"/kubeguard-audit"), "may %s %s", verb, resource)
		}
	}
	metrics := kubectl(t, "auth", "can-i", "get", "/metrics", "--as", user)
	assert.Equal(t, "yes", strings.TrimSpace(metrics.Stdout), "cannot read the API server's /metrics")
	for _, resource := range []string{"secrets", "configmaps", "serviceaccounts", "nodes"} {
		assert.False(t, canI("list", resource), "may list %s", resource)
		assert.False(t, canI("create", resource), "may create %s", resource)
	}

	// Enough: the whole audit, reports written, as the ServiceAccount.
	token := kubectl(t, "create", "token", "-n", ns, user[strings.LastIndex(user, ":")+1:])
	require.Zero(t, token.ExitCode)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	server := strings.TrimSpace(kubectl(t, "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}").Stdout)
	ca := strings.TrimSpace(kubectl(t, "config", "view", "--raw", "--minify", "-o", "jsonpath={.clusters[0].cluster.certificate-authority-data}").Stdout)
	require.NoError(t, os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, certificate-authority-data: %q}}]
users: [{name: audit, user: {token: %q}}]
contexts: [{name: audit, context: {cluster: c, user: audit}}]
current-context: audit
`, server, ca, strings.TrimSpace(token.Stdout))), 0o600))
	_, stderr, code := runAuditWith(t, kubeconfig, "--write-reports", "--fail-on-denied=false", "-o", "json")
	assert.Equal(t, 0, code, "the audit as its ServiceAccount failed: %s", stderr)
	assert.Zero(t, kubectl(t, "get", "reports.openreports.io", "kubeguard-audit", "-n", ns).ExitCode, "no report written")
	assert.Zero(t, kubectl(t, "get", "clusterreports.openreports.io", "kubeguard-audit").ExitCode, "no cluster report written")

	// Enough for the upgrade audit too: budgets, autoscalers and the API server's metrics.
	_, stderr, code = runAuditWith(t, kubeconfig, "--upgrade", "--fail-on-denied=false", "-o", "json")
	assert.Equal(t, 0, code, "the upgrade audit as its ServiceAccount failed: %s", stderr)
}
