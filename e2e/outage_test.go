package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// kubeguard is down while a node is drained, with failurePolicy Fail, as docs/install.md describes:
// evictions go through (kubeguard does not judge them), but the controllers cannot create the
// replacement pods: each attempt is refused, and recorded as a FailedCreate event naming kubeguard's
// webhook. The PodDisruptionBudget then holds the node's remaining pods, so the drain cannot finish.
// Once kubeguard is back, the controllers catch up on their own and the drain completes.
func TestKubeguardDownDuringDrain(t *testing.T) {
	ctx := context.Background()
	require.Equal(t, admissionregistrationv1.Fail, effectiveFailurePolicy(), "the suite runs with failurePolicy Fail")
	ns := newNamespace(t, false)

	// Two nodes of a pool of the test's own: both pods start on the first, the second takes the
	// replacements.
	const poolLabel = "e2e.kubeguard.io/pool"
	drained, spare := "outage-"+ns+"-a", "outage-"+ns+"-b"
	for _, node := range []string{drained, spare} {
		require.NoError(t, framework.AddNode(ctx, cluster.ControlPlane.Client, node))
		t.Cleanup(func() { kubectl(t, "delete", "node", node, "--ignore-not-found") })
		require.Zero(t, kubectl(t, "label", "node", node, poolLabel+"="+ns).ExitCode)
	}
	require.Zero(t, kubectl(t, "cordon", spare).ExitCode)

	spec := compliantPodSpec()
	spec.NodeSelector = map[string]string{poolLabel: ns}
	web := workloads[1].build("web", spec).(*appsv1.Deployment)
	web.Spec.Replicas = ptr.To[int32](2)
	pdb := &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec:       policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(1)), Selector: web.Spec.Selector},
	}
	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, "web", web, pdb))
	require.Zero(t, res.ExitCode)
	waitAvailable(t, ns, "web", 2)
	require.Zero(t, kubectl(t, "uncordon", spare).ExitCode)

	require.NoError(t, cluster.Kubeguard.Stop())
	t.Cleanup(func() {
		if !cluster.Kubeguard.Running() {
			require.NoError(t, cluster.Kubeguard.Start(ctx))
			require.NoError(t, cluster.WaitForWebhook(ctx))
		}
	})

	res = kubectl(t, "drain", drained, "--ignore-daemonsets", "--timeout=20s")
	assert.NotZero(t, res.ExitCode, "the drain finished although the evicted pod was never replaced")
	assert.Contains(t, res.Stderr, "Cannot evict pod as it would violate the pod's disruption budget")

	eventually(t, time.Minute, "a FailedCreate event naming kubeguard's webhook", func() (bool, string) {
		refusals := webhookRefusals(t, ns)
		for _, r := range refusals {
			if strings.Contains(r, `failed calling webhook "`+framework.WebhookName+`"`) {
				return true, ""
			}
		}
		return false, strings.Join(refusals, "\n")
	})
	d, err := cluster.ControlPlane.Client.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(1), d.Status.AvailableReplicas, "one pod evicted, its replacement refused")

	require.NoError(t, cluster.Kubeguard.Start(ctx))
	back := time.Now()
	require.NoError(t, cluster.WaitForWebhook(ctx))
	waitAvailable(t, ns, "web", 2)
	t.Logf("the controllers caught up %s after kubeguard came back", time.Since(back).Round(time.Second))

	res = kubectl(t, "drain", drained, "--ignore-daemonsets", "--timeout=2m")
	assert.Zero(t, res.ExitCode, "draining again once kubeguard is back")
	for _, p := range livePods(t, ns) {
		assert.Equal(t, spare, p.Spec.NodeName, "pod %s", p.Name)
	}
}
