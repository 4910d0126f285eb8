package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The API server, the controller manager and the scheduler restart, as on a control-plane upgrade,
// while kubeguard enforces with failurePolicy Fail. The API server's own bootstrap RBAC
// reconciliation goes through kubeguard (ClusterRoleBindings to the User system:kube-scheduler, and of
// the discovery roles to everyone, system:authenticated and system:unauthenticated) and is allowed; the
// controllers start and create pods; kubeguard denies nothing meanwhile.
func TestControlPlaneRestartsWhileEnforcing(t *testing.T) {
	ctx := context.Background()
	require.Equal(t, admissionregistrationv1.Fail, effectiveFailurePolicy(), "the suite runs with failurePolicy Fail")
	require.NotNil(t, cluster.Components, "the suite's cluster runs controllers")
	ns := newNamespace(t, false)
	deployments := workloads[1]
	require.Equal(t, "Deployment", deployments.kind)
	web := deployments.build("web", compliantPodSpec()).(*appsv1.Deployment)
	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, "web", web))
	assertAdmitted(t, res)
	waitAvailable(t, ns, "web", 1)

	// The API server recreates its bootstrap bindings when they are missing: these make its
	// reconciliation CREATEs that kubeguard judges, one under user-subject, the others under
	// broad-subject.
	bootstrapBindings := []string{
		"system:kube-scheduler", "system:public-info-viewer", "system:discovery", "system:basic-user",
		"system:service-account-issuer-discovery", // binds Group system:serviceaccounts
	}
	for _, b := range bootstrapBindings {
		res = kubectl(t, "delete", "clusterrolebinding", b)
		require.Zero(t, res.ExitCode, "deleting the bootstrap binding %s", b)
	}
	deniedBefore := admissionCount(t, `decision="denied"`)
	bindingsBefore := admissionCount(t, `kind="ClusterRoleBinding"`, `operation="CREATE"`, `decision="allowed"`)

	// kwok restarts too: the requests it keeps open would hold the API server's exit for its
	// one-minute request timeout. The fake nodes' pods stay as they are meanwhile.
	components := cluster.Components
	require.NoError(t, components.Stop())
	require.NoError(t, cluster.ControlPlane.StopAPIServer())
	require.NoError(t, cluster.ControlPlane.StartAPIServer())
	require.NoError(t, components.Start(ctx))

	res = kubectl(t, "get", "--raw", "/readyz?verbose")
	require.Zero(t, res.ExitCode, "the API server is not ready after its restart")
	assert.Contains(t, res.Stdout, "[+]poststarthook/rbac/bootstrap-roles ok")
	for _, b := range bootstrapBindings {
		assertStored(t, "", "clusterrolebinding", b, true)
	}
	assert.GreaterOrEqual(t, admissionCount(t, `kind="ClusterRoleBinding"`, `operation="CREATE"`, `decision="allowed"`), bindingsBefore+float64(len(bootstrapBindings)),
		"kubeguard did not judge the API server's bootstrap bindings")

	// The restarted controllers and scheduler work: a scaled Deployment gets its new pods Running.
	res = kubectl(t, "scale", "-n", ns, "deployment/web", "--replicas=3")
	require.Zero(t, res.ExitCode)
	waitAvailable(t, ns, "web", 3)

	assert.Equal(t, deniedBefore, admissionCount(t, `decision="denied"`), "kubeguard denied a request during the restart")
	controllerLog, err := os.ReadFile(filepath.Join(cluster.Dir, "kube-controller-manager.log"))
	require.NoError(t, err)
	assert.NotContains(t, string(controllerLog), "denied the request", "kubeguard refused a controller")
}

// waitAvailable polls until the Deployment has exactly the given number of available pods.
func waitAvailable(t *testing.T, ns, name string, replicas int32) {
	t.Helper()
	eventually(t, settleTimeout, "deployment "+name+" available", func() (bool, string) {
		d, err := cluster.ControlPlane.Client.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		ok, state := replicasState(d.Status.AvailableReplicas, replicas)
		return ok && d.Status.Replicas == replicas, state
	})
}
