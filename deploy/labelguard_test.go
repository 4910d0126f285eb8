package deploy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The chart's namespace-label guard, applied to a real API server: someone who may edit namespaces, but not
// kubeguard's labels, can no longer move a namespace to dry-run or out of kubeguard's reach; bound to the
// chart's ClusterRole they can, and cluster admins always can.
func TestNamespaceLabelGuard(t *testing.T) {
	c := startCluster(t)
	rendered := c.mustRun(t, c.helm, "", "template", releaseName, chartDir, "--namespace", releaseNamespace,
		"--show-only", "templates/validatingadmissionpolicy-namespace-labels.yaml",
		"--show-only", "templates/validatingadmissionpolicybinding-namespace-labels.yaml",
		"--show-only", "templates/clusterrole-namespace-labels.yaml")
	c.mustRun(t, c.kubectl, rendered.Stdout, "apply", "-f", "-")

	// An operator who manages namespaces, as a self-service portal or a platform tool might.
	const operator = "namespace-operator@contoso.com"
	c.mustRun(t, c.kubectl, "", "create", "clusterrole", "namespace-editor", "--verb=get,list,create,update,patch", "--resource=namespaces")
	c.mustRun(t, c.kubectl, "", "create", "clusterrolebinding", "namespace-editor", "--clusterrole=namespace-editor", "--user="+operator)
	c.createNamespace(t, "team-a", nil)
	c.createNamespace(t, "team-b", map[string]string{"kubeguard.io/mode": "dry-run"})
	as := func(args ...string) []string { return append(args, "--as", operator) }
	guardMessage := "changes how kubeguard judges it, and needs the verb update on namespacelabels.kubeguard.io"

	// The policy is enforced once the API server has loaded it; a server-side dry run asks without changing
	// anything.
	eventually(t, "the label guard refuses the operator", func() (bool, string) {
		res := c.run(t, c.kubectl, "", as("label", "--dry-run=server", "namespace", "team-a", "kubeguard.io/mode=dry-run")...)
		return res.ExitCode != 0 && strings.Contains(res.Stderr, guardMessage), res.String()
	})

	refused := []struct {
		name  string
		stdin string
		args  []string
	}{
		{name: "remove the label of a dry-run namespace", args: as("label", "namespace", "team-b", "kubeguard.io/mode-")},
		{name: "change it to another value", args: as("label", "--overwrite", "namespace", "team-b", "kubeguard.io/mode=enforce")},
		{name: "an AKS exclusion label", args: as("label", "namespace", "team-a", "control-plane=true")},
		{name: "the other AKS exclusion label", args: as("label", "namespace", "team-a", "kubernetes.azure.com/managedby=aks")},
		{
			name:  "create a namespace that starts in dry-run",
			stdin: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-c\n  labels: {kubeguard.io/mode: dry-run}\n",
			args:  as("apply", "-f", "-"),
		},
	}
	for _, tt := range refused {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			res := c.run(t, c.kubectl, tt.stdin, tt.args...)
			assert.NotZero(t, res.ExitCode, res.String())
			assert.Contains(t, res.Stderr, guardMessage)
			assert.Contains(t, res.Stderr, "ValidatingAdmissionPolicy")
		})
	}
	ns, err := c.cp.Client.CoreV1().Namespaces().Get(t.Context(), "team-b", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "dry-run", ns.Labels["kubeguard.io/mode"], "nothing changed")

	// A requester who may only update the subresources status and finalize: an update there keeps the
	// metadata it sends, labels included.
	const finalizer = "namespace-finalizer@contoso.com"
	c.mustRun(t, c.kubectl, "", "create", "clusterrole", "namespace-finalizer", "--verb=update", "--resource=namespaces/status,namespaces/finalize")
	c.mustRun(t, c.kubectl, "", "create", "clusterrolebinding", "namespace-finalizer", "--clusterrole=namespace-finalizer", "--user="+finalizer)
	for _, sub := range []string{"status", "finalize"} {
		for _, label := range []string{`"kubeguard.io/mode": "dry-run"`, `"control-plane": "true"`} {
			t.Run("refused through "+sub+": "+label, func(t *testing.T) {
				body := `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a", "labels": {` + label +
					`}}, "spec": {"finalizers": ["kubernetes"]}}`
				res := c.run(t, c.kubectl, body, "replace", "--raw", "/api/v1/namespaces/team-a/"+sub, "-f", "-", "--as", finalizer)
				assert.NotZero(t, res.ExitCode, res.String())
				assert.Contains(t, res.Stderr, guardMessage)
			})
		}
		t.Run("allowed through "+sub+": other labels", func(t *testing.T) {
			body := `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a", "labels": {"touched-through": "` + sub +
				`"}}, "spec": {"finalizers": ["kubernetes"]}}`
			c.mustRun(t, c.kubectl, body, "replace", "--raw", "/api/v1/namespaces/team-a/"+sub, "-f", "-", "--as", finalizer)
		})
	}
	ns, err = c.cp.Client.CoreV1().Namespaces().Get(t.Context(), "team-a", metav1.GetOptions{})
	require.NoError(t, err)
	assert.NotContains(t, ns.Labels, "kubeguard.io/mode", "nothing changed through the subresources")
	assert.NotContains(t, ns.Labels, "control-plane", "nothing changed through the subresources")
	assert.Equal(t, "finalize", ns.Labels["touched-through"], "the subresources do change labels")

	t.Run("allowed: other labels and new namespaces without the guarded labels", func(t *testing.T) {
		c.mustRun(t, c.kubectl, "", as("label", "namespace", "team-a", "team=payments")...)
		c.mustRun(t, c.kubectl, "", as("label", "namespace", "team-b", "cost-center=42")...)
		c.mustRun(t, c.kubectl, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-d\n  labels: {team: risk}\n", as("apply", "-f", "-")...)
	})
	t.Run("allowed: a cluster admin", func(t *testing.T) {
		c.mustRun(t, c.kubectl, "", "label", "namespace", "team-a", "kubeguard.io/mode=dry-run")
		c.mustRun(t, c.kubectl, "", "label", "namespace", "team-a", "kubeguard.io/mode-")
	})
	t.Run("allowed: bound to the chart's ClusterRole", func(t *testing.T) {
		c.mustRun(t, c.kubectl, "", "create", "clusterrolebinding", "operator-may-set-mode",
			fmt.Sprintf("--clusterrole=%s-namespace-labels", releaseName), "--user="+operator)
		eventually(t, "the operator may set the mode once bound", func() (bool, string) {
			res := c.run(t, c.kubectl, "", as("label", "--dry-run=server", "namespace", "team-a", "kubeguard.io/mode=dry-run")...)
			return res.ExitCode == 0, res.String()
		})
		c.mustRun(t, c.kubectl, "", as("label", "namespace", "team-a", "kubeguard.io/mode=dry-run")...)
		c.mustRun(t, c.kubectl, "", as("label", "namespace", "team-b", "kubeguard.io/mode-")...)
	})
}
