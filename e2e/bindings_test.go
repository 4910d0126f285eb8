package e2e

import (
	"strconv"
	"strings"
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

			lines := deniedLines(t, res, b.resource, name)
			assertViolationLines(t, lines, []violation{{rule: "user-subject", field: "subjects[0]"}})
			assert.Contains(t, strings.Join(lines, "\n"), strconv.Quote(user), "the line names the user")
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

// Granting a role to everyone is refused, but the API server's own discovery bindings, which grant to
// everyone on purpose, pass.
func TestBindingToEveryoneIsDenied(t *testing.T) {
	ns := newNamespace(t, false)
	everyone := []struct {
		name    string
		subject rbacv1.Subject
	}{
		{"anonymous", userSubject("system:anonymous")},
		{"authenticated", groupSubject("system:authenticated")},
		{"unauthenticated", groupSubject("system:unauthenticated")},
		{"serviceaccounts", groupSubject("system:serviceaccounts")},
	}
	for _, b := range bindings {
		for _, e := range everyone {
			t.Run(b.kind+"/"+e.name, func(t *testing.T) {
				name := ns + "-" + objectName(e.name, b.kind)
				file := manifestFile(t, name, b.build(name, e.subject))

				res := kubectl(t, "apply", "-n", ns, "-f", file)

				lines := deniedLines(t, res, b.resource, name)
				assertViolationLines(t, lines, []violation{{rule: "broad-subject", field: "subjects[0]"}})
				assert.Contains(t, strings.Join(lines, "\n"), strconv.Quote(e.subject.Name), "the line names the subject")
				assert.Contains(t, strings.Join(lines, "\n"), strconv.Quote(viewRole.Name), "the line names the role")
				assertStored(t, ns, b.resource, name, false)
			})
		}
	}

	t.Run("discovery for everyone", func(t *testing.T) {
		name := ns + "-discovery"
		crb := bindings[1].build(name, groupSubject("system:authenticated")).(*rbacv1.ClusterRoleBinding)
		crb.RoleRef.Name = "system:discovery"
		file := manifestFile(t, name, crb)
		t.Cleanup(func() { kubectl(t, "delete", "-f", file, "--ignore-not-found") })

		assertAdmitted(t, kubectl(t, "apply", "-f", file))
	})
}
