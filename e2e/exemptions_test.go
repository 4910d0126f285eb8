package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The default configuration exempts kube-system: the cluster's own components run there, and
// kubeguard must never stand between them and the API server.
func TestKubeSystemIsNotEvaluated(t *testing.T) {
	pods := workloads[0]
	name := "e2e-exempt-" + newNamespace(t, false) // unique across runs, the namespace is shared
	file := manifestFile(t, name, pods.build(name, noncompliantPodSpec()))
	t.Cleanup(func() { kubectl(t, "delete", "-n", metav1.NamespaceSystem, "-f", file, "--ignore-not-found") })

	res := kubectl(t, "apply", "-n", metav1.NamespaceSystem, "-f", file)

	assertAdmitted(t, res)
	assertStored(t, metav1.NamespaceSystem, pods.resource, name, true)
}

// Pods the built-in controllers create are judged in dry-run: denying them would leave a Deployment
// that was admitted earlier unable to get pods, with the reason only in the controller's events.
func TestControllerServiceAccountIsWarnedNotDenied(t *testing.T) {
	ns := newNamespace(t, false)
	pods := workloads[0]
	name := "from-replicaset-controller"
	file := manifestFile(t, name, pods.build(name, noncompliantPodSpec()))

	// `create`, not `apply`: the controller's role may create pods but not get them.
	res := kubectl(t, "create", "--as=system:serviceaccount:kube-system:replicaset-controller", "-n", ns, "-f", file)

	assertDryRunWarnings(t, res, noncompliantViolations(pods.specPath))
	assert.Contains(t, res.Stdout, "created")
	assertStored(t, ns, pods.resource, name, true)

	// The same pod from anyone else is denied.
	other := "from-admin"
	res = kubectl(t, "create", "-n", ns, "-f", manifestFile(t, other, pods.build(other, noncompliantPodSpec())))
	assertDenied(t, res, pods.resource, other, noncompliantViolations(pods.specPath))
}
