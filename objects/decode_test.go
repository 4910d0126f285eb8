package objects_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/rules"
)

// template is a pod template with one annotation and one container, as found in every workload kind.
const template = `{
	"metadata": {"labels": {"app": "web"}, "annotations": {"container.apparmor.security.beta.kubernetes.io/web": "runtime/default"}},
	"spec": {"containers": [{"name": "web", "image": "example.com/web:1", "securityContext": {"privileged": true}}]}
}`

// templateView is what the rules must see of template.
func templateView() rules.PodSpec {
	return rules.PodSpec{Containers: []rules.Container{{Name: "web", SecurityContext: &corev1.SecurityContext{Privileged: new(true)}}}}
}

const metadata = `"metadata": {"name": "web", "namespace": "payments", "labels": {"app": "web"}}`

func TestDecodePodKinds(t *testing.T) {
	tests := []struct {
		kind string
		json string
		path string // where the rules must locate the pod template; "" for a Pod
	}{
		{
			kind: "Pod",
			json: `{"apiVersion": "v1", "kind": "Pod",
				"metadata": {"name": "web", "namespace": "payments", "annotations": {"container.apparmor.security.beta.kubernetes.io/web": "runtime/default"}},
				"spec": {"containers": [{"name": "web", "image": "example.com/web:1", "securityContext": {"privileged": true}}]},
				"status": {"phase": "Pending"}}`,
		},
		{
			kind: "PodTemplate",
			json: `{"apiVersion": "v1", "kind": "PodTemplate", ` + metadata + `, "template": ` + template + `}`,
			path: "template",
		},
		{
			kind: "ReplicationController",
			json: `{"apiVersion": "v1", "kind": "ReplicationController", ` + metadata + `, "spec": {"replicas": 2, "selector": {"app": "web"}, "template": ` + template + `}}`,
			path: "spec.template",
		},
		{
			kind: "Deployment",
			json: `{"apiVersion": "apps/v1", "kind": "Deployment", ` + metadata + `, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": ` + template + `}}`,
			path: "spec.template",
		},
		{
			kind: "ReplicaSet",
			json: `{"apiVersion": "apps/v1", "kind": "ReplicaSet", ` + metadata + `, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": ` + template + `}}`,
			path: "spec.template",
		},
		{
			kind: "StatefulSet",
			json: `{"apiVersion": "apps/v1", "kind": "StatefulSet", ` + metadata + `, "spec": {"serviceName": "web", "selector": {"matchLabels": {"app": "web"}}, "template": ` + template + `}}`,
			path: "spec.template",
		},
		{
			kind: "DaemonSet",
			json: `{"apiVersion": "apps/v1", "kind": "DaemonSet", ` + metadata + `, "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": ` + template + `}}`,
			path: "spec.template",
		},
		{
			kind: "Job",
			json: `{"apiVersion": "batch/v1", "kind": "Job", ` + metadata + `, "spec": {"backoffLimit": 1, "template": ` + template + `}}`,
			path: "spec.template",
		},
		{
			kind: "CronJob",
			json: `{"apiVersion": "batch/v1", "kind": "CronJob", ` + metadata + `, "spec": {"schedule": "@hourly", "jobTemplate": {"metadata": {"labels": {"job": "web"}}, "spec": {"template": ` + template + `}}}}`,
			path: "spec.jobTemplate.spec.template",
		},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			kind := lookupKind(t, tt.kind)
			obj, err := decode(kind, []byte(tt.json))
			require.NoError(t, err)

			assert.Same(t, kind, obj.Kind)
			assert.Equal(t, "web", obj.Name)
			assert.Equal(t, "payments", obj.Namespace)
			assert.Nil(t, obj.Binding)
			require.NotNil(t, obj.Pod)
			if tt.path == "" {
				assert.Nil(t, obj.Pod.Path)
			} else {
				require.NotNil(t, obj.Pod.Path)
				assert.Equal(t, tt.path, obj.Pod.Path.String())
			}
			assert.Equal(t, map[string]string{"container.apparmor.security.beta.kubernetes.io/web": "runtime/default"}, obj.Pod.Annotations)
			assert.Equal(t, templateView(), obj.Pod.Spec)

			// The path reaches the violations, so a developer is pointed at the field in their manifest.
			v := judged(kind.GroupKind, []byte(tt.json))
			require.NotEmpty(t, v.Enforced)
			assert.Equal(t, "privileged", v.Enforced[0].Rule)
			assert.Equal(t, strings.TrimPrefix(tt.path+".spec.containers[0].securityContext.privileged", "."), v.Enforced[0].Field)
		})
	}
}

func TestDecodeBindings(t *testing.T) {
	subjects := `"subjects": [
		{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice@contoso.com"},
		{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "payments-devs"},
		{"kind": "ServiceAccount", "name": "deployer", "namespace": "payments"}
	]`
	want := []rbacv1.Subject{
		{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: "alice@contoso.com"},
		{Kind: "Group", APIGroup: "rbac.authorization.k8s.io", Name: "payments-devs"},
		{Kind: "ServiceAccount", Name: "deployer", Namespace: "payments"},
	}
	tests := []struct {
		kind      string
		json      string
		namespace string
	}{
		{
			kind:      "RoleBinding",
			json:      `{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "editors", "namespace": "payments"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"}, ` + subjects + `}`,
			namespace: "payments",
		},
		{
			kind: "ClusterRoleBinding",
			json: `{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "editors"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"}, ` + subjects + `}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			obj, err := decode(lookupKind(t, tt.kind), []byte(tt.json))
			require.NoError(t, err)
			assert.Equal(t, "editors", obj.Name)
			assert.Equal(t, tt.namespace, obj.Namespace)
			assert.Nil(t, obj.Pod)
			require.NotNil(t, obj.Binding)
			assert.Equal(t, want, obj.Binding.Subjects)
		})
	}
}

func TestDecodeName(t *testing.T) {
	tests := []struct {
		name     string
		metadata string
		want     string
	}{
		{name: "name", metadata: `{"name": "web"}`, want: "web"},
		{name: "generateName only", metadata: `{"generateName": "web-"}`, want: "web-*"},
		{name: "name wins over generateName", metadata: `{"name": "web-x7k2p", "generateName": "web-"}`, want: "web-x7k2p"},
		{name: "neither", metadata: `{"namespace": "payments"}`, want: ""},
		{name: "no metadata", metadata: `null`, want: ""},
		{name: "escaped", metadata: `{"name": "w\u0065b"}`, want: "web"},
	}
	for _, tt := range tests {
		for _, kind := range []string{"Pod", "Deployment", "CronJob", "RoleBinding"} {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				obj, err := decode(lookupKind(t, kind), []byte(`{"metadata": `+tt.metadata+`}`))
				require.NoError(t, err)
				assert.Equal(t, tt.want, obj.Name)
			})
		}
	}
}

// An object without the parts the rules read is judged as empty, not refused: the API server's validation,
// not kubeguard, decides whether it may exist.
func TestDecodeEmptyObject(t *testing.T) {
	for _, k := range objects.Kinds() {
		t.Run(k.Kind, func(t *testing.T) {
			obj, err := decode(lookupKind(t, k.Kind), []byte(`{}`))
			require.NoError(t, err)
			views := 0
			for _, set := range []bool{obj.Pod != nil, obj.Binding != nil, obj.DisruptionBudget != nil} {
				if set {
					views++
				}
			}
			assert.Equal(t, 1, views, "exactly one view")
			assert.Equal(t, judgement.Allowed, judged(k.GroupKind, []byte(`{}`)).Decision)
		})
	}
}

// atTemplate places a pod template's JSON where kind keeps it; for a Pod the template is the object itself.
func atTemplate(kind *objects.Kind, tmpl string) string {
	switch kind.QualifiedResource().String() {
	case "pods":
		return tmpl
	case "podtemplates":
		return `{"template": ` + tmpl + `}`
	case "cronjobs.batch":
		return `{"spec": {"jobTemplate": {"spec": {"template": ` + tmpl + `}}}}`
	}
	return `{"spec": {"template": ` + tmpl + `}}`
}

// Bodies that are not JSON, or not an object, are refused with an error naming the kind; none may panic.
func TestDecodeMalformed(t *testing.T) {
	bodies := map[string]string{
		"empty":                       ``,
		"truncated":                   `{"metadata": {"name": "web"}, "spec": {"containers": [{"name": "web"`,
		"not an object":               `[{"metadata": {}}]`,
		"a string":                    `"Pod"`,
		"two objects":                 `{}{}`,
		"trailing garbage":            `{"metadata": {}} x`,
		"bad escape":                  `{"metadata": {"name": "w\x"}}`,
		"unterminated string":         `{"metadata": {"name": "web}}`,
		"control character in string": "{\"metadata\": {\"name\": \"w\x01b\"}}",
		"single quotes":               `{'metadata': {}}`,
		"comment":                     `{"metadata": {} /* kubeguard */}`,
		"metadata a list":             `{"metadata": []}`,
		"name a number":               `{"metadata": {"name": 5}}`,
		"generateName a bool":         `{"metadata": {"generateName": true}}`,
		// Members nobody reads are stepped over whole (objects.Unread), and still checked.
		"bad managedFields":      `{"metadata": {"name": "web", "managedFields": [{"manager": "x",}]}}`,
		"unterminated labels":    `{"metadata": {"labels": {"app": "web}}}`,
		"bad status":             `{"metadata": {"name": "web"}, "status": {'phase': 1}}`,
		"managedFields too deep": `{"metadata": {"managedFields": ` + strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001) + `}}`,
		"bad template labels":    `{"spec": {"template": {"metadata": {"labels": {"app": web}}}}}`,
	}
	for name, body := range bodies {
		for _, k := range objects.Kinds() {
			t.Run(name+"/"+k.Kind, func(t *testing.T) {
				assertDecodeFails(t, lookupKind(t, k.Kind), body)
			})
		}
	}
}

// A field the rules read that holds the wrong type is an error, never a guess.
func TestDecodeWrongTypes(t *testing.T) {
	templates := map[string]string{
		"spec a string":             `{"spec": "privileged"}`,
		"annotations a list":        `{"metadata": {"annotations": ["container.apparmor.security.beta.kubernetes.io/web"]}, "spec": {}}`,
		"annotation value a bool":   `{"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/web": true}}, "spec": {}}`,
		"containers an object":      `{"spec": {"containers": {"name": "web"}}}`,
		"container name a number":   `{"spec": {"containers": [{"name": 1}]}}`,
		"privileged a string":       `{"spec": {"containers": [{"name": "web", "securityContext": {"privileged": "yes"}}]}}`,
		"runAsUser a fraction":      `{"spec": {"securityContext": {"runAsUser": 0.5}, "containers": [{"name": "web"}]}}`,
		"runAsUser out of range":    `{"spec": {"initContainers": [{"name": "init", "securityContext": {"runAsUser": 1e100}}]}}`,
		"runAsNonRoot a number":     `{"spec": {"ephemeralContainers": [{"name": "debug", "securityContext": {"runAsNonRoot": 1}}]}}`,
		"seccomp profile a string":  `{"spec": {"securityContext": {"seccompProfile": "RuntimeDefault"}}}`,
		"hostUsers a string":        `{"spec": {"hostUsers": "false"}}`,
		"os a string":               `{"spec": {"os": "windows"}}`,
		"securityContext a list":    `{"spec": {"securityContext": []}}`,
		"template metadata a list":  `{"metadata": [], "spec": {}}`,
		"template a list (or spec)": `[]`,
	}
	for name, tmpl := range templates {
		for _, k := range objects.Kinds() {
			kind := lookupKind(t, k.Kind)
			if kind.Kind == "RoleBinding" || kind.Kind == "ClusterRoleBinding" {
				continue
			}
			t.Run(name+"/"+k.Kind, func(t *testing.T) {
				assertDecodeFails(t, kind, atTemplate(kind, tmpl))
			})
		}
	}
	subjects := map[string]string{
		"subjects an object":  `{"subjects": {"kind": "User", "name": "alice"}}`,
		"subject a string":    `{"subjects": ["alice"]}`,
		"subject kind a list": `{"subjects": [{"kind": ["User"], "name": "alice"}]}`,
		"subject name a bool": `{"subjects": [{"kind": "User", "name": false}]}`,
	}
	for name, body := range subjects {
		for _, kind := range []string{"RoleBinding", "ClusterRoleBinding"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				assertDecodeFails(t, lookupKind(t, kind), body)
			})
		}
	}
}

func assertDecodeFails(t *testing.T, kind *objects.Kind, body string) {
	t.Helper()
	var (
		obj *objects.Object
		err error
	)
	require.NotPanics(t, func() { obj, err = decode(kind, []byte(body)) })
	require.Error(t, err, body)
	assert.Nil(t, obj)
}

// A PodDisruptionBudget's budget is read whether written as a number or a string, and a value of another
// JSON type is refused, as the API server refuses it.
func TestDecodeDisruptionBudget(t *testing.T) {
	kind := lookupKind(t, "PodDisruptionBudget")
	obj, err := decode(kind, []byte(`{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"maxUnavailable": 0, "minAvailable": "100%", "selector": {"matchLabels": {"app": "web"}}}}`))
	require.NoError(t, err)
	assert.Equal(t, "web", obj.Name)
	assert.Equal(t, "shop", obj.Namespace)
	assert.Nil(t, obj.Pod)
	assert.Nil(t, obj.Binding)
	require.NotNil(t, obj.DisruptionBudget)
	zero, all := intstr.FromInt32(0), intstr.FromString("100%")
	assert.Equal(t, &rules.DisruptionBudget{MaxUnavailable: &zero, MinAvailable: &all}, obj.DisruptionBudget)

	for _, bad := range []string{`true`, `{}`, `[0]`, `1.5`} {
		_, err := decode(kind, []byte(`{"spec": {"maxUnavailable": `+bad+`}}`))
		assert.Error(t, err, bad)
	}
}
