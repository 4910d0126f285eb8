package e2e

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestBindingToUserIsDenied(t *testing.T) {
	ns := newNamespace(t, false)
	const user = "alice@contoso.com"
	for _, b := range bindings {
		t.Run(b.kind, func(t *testing.T) {
			name := ns + "-" + objectName("user", b.kind)
			file := manifestFile(t, name, b.build(name, userSubject(user)))

			res := kubectl(t, "apply", "-n", ns, "-f", file)

			assert.NotZero(t, res.ExitCode, "kubectl succeeded")
			assert.Contains(t, res.Stderr, "Error from server (Forbidden)")
			assert.Contains(t, res.Stderr, deniedHeader(b.resource, name, 1))
			assert.Regexp(t, `(?m)^\s*`+fmt.Sprintf(`user-subject: subjects\[0\]: binds User %q\. Fix: \S.*$`, user), res.Stderr)
			assertStored(t, ns, b.resource, name, false)
		})
	}
}

func TestBindingToNonUserSubjectIsCreated(t *testing.T) {
	ns := newNamespace(t, false)
	subjects := []struct {
		name    string
		subject rbacv1.Subject
	}{
		{name: "group", subject: groupSubject("payments-developers")},
		{name: "serviceaccount", subject: serviceAccountSubject(ns, "default")},
		// The control plane binds its own identities as Users; the default allows system:*.
		{name: "system-user", subject: userSubject("system:kube-scheduler")},
	}
	for _, b := range bindings {
		for _, s := range subjects {
			t.Run(b.kind+"/"+s.name, func(t *testing.T) {
				name := ns + "-" + objectName(s.name, b.kind)
				file := manifestFile(t, name, b.build(name, s.subject))
				if b.kind == "ClusterRoleBinding" {
					t.Cleanup(func() { kubectl(t, "delete", "-f", file, "--ignore-not-found") })
				}

				res := kubectl(t, "apply", "-n", ns, "-f", file)

				assertAdmitted(t, res)
				assertStored(t, ns, b.resource, name, true)
			})
		}
	}
}
