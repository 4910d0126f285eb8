package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNonCompliantWorkloadIsDenied(t *testing.T) {
	ns := newNamespace(t, false)
	for _, w := range workloads {
		t.Run(w.kind, func(t *testing.T) {
			name := objectName("bad", w.kind)
			file := manifestFile(t, name, w.build(name, noncompliantPodSpec()))

			res := kubectl(t, "apply", "-n", ns, "-f", file)

			assertDenied(t, res, w.resource, name, noncompliantViolations(w.specPath))
			assert.Contains(t, res.Stderr, `error when creating "`+file+`"`)
			assertStored(t, ns, w.resource, name, false)
		})
	}
}

func TestCompliantWorkloadIsCreated(t *testing.T) {
	ns := newNamespace(t, false)
	for _, w := range workloads {
		t.Run(w.kind, func(t *testing.T) {
			name := objectName("good", w.kind)
			file := manifestFile(t, name, w.build(name, compliantPodSpec()))

			res := kubectl(t, "apply", "-n", ns, "-f", file)

			assertAdmitted(t, res)
			assertStored(t, ns, w.resource, name, true)
		})
	}
}

// A namespace labelled kubeguard.io/mode=dry-run is routed to /validate/dry-run by the webhooks'
// namespaceSelector: violations become warnings.
func TestDryRunNamespaceWarnsAndAdmits(t *testing.T) {
	ns := newNamespace(t, true)
	for _, w := range workloads {
		t.Run(w.kind, func(t *testing.T) {
			name := objectName("bad", w.kind)
			file := manifestFile(t, name, w.build(name, noncompliantPodSpec()))

			res := kubectl(t, "apply", "-n", ns, "-f", file)

			assertDryRunWarnings(t, res, noncompliantViolations(w.specPath))
			assert.Contains(t, res.Stdout, "created")
			assertStored(t, ns, w.resource, name, true)
		})
	}
}

// `kubectl apply --dry-run=server` (Kubernetes' dry run, not kubeguard's dry-run mode) must get the
// verdict a real apply gets, and store nothing.
func TestServerSideDryRunGetsTheSameVerdict(t *testing.T) {
	ns := newNamespace(t, false)
	for _, w := range workloads {
		t.Run(w.kind, func(t *testing.T) {
			bad := objectName("bad", w.kind)
			res := kubectl(t, "apply", "--dry-run=server", "-n", ns, "-f", manifestFile(t, bad, w.build(bad, noncompliantPodSpec())))
			assertDenied(t, res, w.resource, bad, noncompliantViolations(w.specPath))
			assertStored(t, ns, w.resource, bad, false)

			good := objectName("good", w.kind)
			res = kubectl(t, "apply", "--dry-run=server", "-n", ns, "-f", manifestFile(t, good, w.build(good, compliantPodSpec())))
			assertAdmitted(t, res)
			assert.Contains(t, res.Stdout, "(server dry run)")
			assertStored(t, ns, w.resource, good, false)
		})
	}
}
