package e2e

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// With kubeguard down, failurePolicy decides: Fail refuses every object the webhooks cover (nothing
// unchecked gets in), Ignore admits them unchecked (the cluster keeps working).
func TestWebhookStopped(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, false)
	pods := workloads[0]
	require.Equal(t, admissionregistrationv1.Fail, effectiveFailurePolicy(), "the suite runs with failurePolicy Fail")

	require.NoError(t, cluster.Kubeguard.Stop())
	t.Cleanup(func() {
		cluster.Webhooks.FailurePolicy = admissionregistrationv1.Fail
		require.NoError(t, cluster.Register(ctx))
		require.NoError(t, cluster.Kubeguard.Start(ctx))
		require.NoError(t, cluster.WaitForWebhook(ctx))
	})

	t.Run("Fail", func(t *testing.T) {
		name := "refused"
		res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, name, pods.build(name, compliantPodSpec())))

		assert.NotZero(t, res.ExitCode, "kubectl succeeded")
		assert.Contains(t, res.Stderr, "Error from server (InternalError)")
		assert.Contains(t, res.Stderr, `Internal error occurred: failed calling webhook "`+framework.WebhookName+`"`)
		assert.Contains(t, res.Stderr, cluster.Kubeguard.URL(framework.ValidatePath))
		assertStored(t, ns, pods.resource, name, false)
	})

	t.Run("Ignore", func(t *testing.T) {
		cluster.Webhooks.FailurePolicy = admissionregistrationv1.Ignore
		require.NoError(t, cluster.Register(ctx))
		name := "unchecked"

		// Non-compliant on purpose: admitted only because nothing evaluated it.
		res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, name, pods.build(name, noncompliantPodSpec())))

		assert.Zero(t, res.ExitCode, "kubectl failed")
		assert.Contains(t, res.Stdout, "created")
		assertStored(t, ns, pods.resource, name, true)
	})
}

func effectiveFailurePolicy() admissionregistrationv1.FailurePolicyType {
	if cluster.Webhooks.FailurePolicy == "" {
		return admissionregistrationv1.Fail
	}
	return cluster.Webhooks.FailurePolicy
}
