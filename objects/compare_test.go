package objects_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	kjson "sigs.k8s.io/json"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
)

// asStored is the object as the API server keeps it: data decoded into the complete API type of its kind
// the way the API server reads JSON (case-sensitive field names, integers kept, unknown fields dropped,
// duplicate names merged), and written out again.
func asStored(t *testing.T, gvk schema.GroupVersionKind, data []byte) []byte {
	t.Helper()
	typed, err := scheme.Scheme.New(gvk)
	require.NoError(t, err, "the API knows %s", gvk)
	require.NoError(t, kjson.UnmarshalCaseSensitivePreserveInts(data, typed), "the corpus holds only objects the API server accepts")
	stored, err := json.Marshal(typed)
	require.NoError(t, err)
	return stored
}

// assertSameView decodes data as sent and as stored, and requires the rules to see the same object in both.
func assertSameView(t *testing.T, gvk schema.GroupVersionKind, data []byte) *objects.Object {
	t.Helper()
	kind, ok := objects.Lookup(gvk.GroupKind())
	require.True(t, ok, "kubeguard judges %s", gvk.Kind)

	got, err := decode(kind, data)
	require.NoError(t, err)
	want, err := decode(kind, asStored(t, gvk, data))
	require.NoError(t, err)

	assert.Equal(t, want.Name, got.Name, "name")
	assert.Equal(t, want.Namespace, got.Namespace, "namespace")
	assert.Equal(t, want.Pod == nil, got.Pod == nil, "pod view")
	if want.Pod != nil && got.Pod != nil {
		assert.Equal(t, want.Pod.Path, got.Pod.Path, "template path")
		// Semantic equality: an empty and a missing list or map read the same to the rules.
		assert.True(t, equality.Semantic.DeepEqual(want.Pod.Annotations, got.Pod.Annotations), "annotations: %v, stored as %v", got.Pod.Annotations, want.Pod.Annotations)
		assert.True(t, equality.Semantic.DeepEqual(want.Pod.Spec, got.Pod.Spec), "pod spec: %+v, stored as %+v", got.Pod.Spec, want.Pod.Spec)
	}
	if want.Binding != nil && got.Binding != nil {
		assert.True(t, equality.Semantic.DeepEqual(want.Binding.Subjects, got.Binding.Subjects), "subjects: %+v, stored as %+v", got.Binding.Subjects, want.Binding.Subjects)
	}
	assert.Equal(t, want.DisruptionBudget, got.DisruptionBudget, "disruption budget")
	return got
}

// decode reads an object of kind k from its JSON, as the webhook and kubeguard check do.
func decode(k *objects.Kind, data []byte) (*objects.Object, error) {
	var d objects.Document
	if err := objects.UnmarshalDocument(data, &d); err != nil {
		return nil, err
	}
	return d.Object(k), nil
}

// judged is the verdict on creating data under the default policy.
func judged(gk schema.GroupKind, data []byte) judgement.Verdict {
	var doc objects.Document
	err := objects.UnmarshalDocument(data, &doc)
	return judgement.Judge(policy.Default(), &judgement.Request{Kind: gk, Operation: admissionv1.Create, Object: &doc, Unreadable: err})
}

// lookupKind finds a judged kind by name alone; the kinds kubeguard judges have distinct names.
func lookupKind(t *testing.T, name string) *objects.Kind {
	t.Helper()
	for _, k := range objects.Kinds() {
		if k.Kind == name {
			kind, ok := objects.Lookup(k.GroupKind)
			require.True(t, ok)
			return kind
		}
	}
	require.Failf(t, "unknown kind", "kubeguard does not judge %q", name)
	return nil
}

// TestDecodeAgreesWithAPITypes decodes every object in testdata/corpus as sent and as the API server stores
// it, and requires the rules to see the same object. The corpus is written to be awkward: unknown fields,
// fields in unusual order, escaped strings, field names in the wrong case, nulls, duplicate keys, every kind
// of container. Files named pass-* must satisfy every rule, fail-* break one.
func TestDecodeAgreesWithAPITypes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	kindsSeen := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			var typeMeta metav1.TypeMeta
			require.NoError(t, json.Unmarshal(data, &typeMeta))
			gvk := typeMeta.GroupVersionKind()
			kindsSeen[gvk.Kind] = true

			assertSameView(t, gvk, data)
			v := judged(gvk.GroupKind(), data)
			switch {
			case strings.HasPrefix(name, "pass-"):
				assert.Equal(t, judgement.Allowed, v.Decision, "%+v", v.Result)
			case strings.HasPrefix(name, "fail-"):
				assert.Equal(t, judgement.Denied, v.Decision)
			default:
				t.Errorf("corpus file %s must be named pass-* or fail-*", file)
			}
		})
	}
	for _, k := range objects.Kinds() {
		assert.True(t, kindsSeen[k.Kind], "the corpus has no %s", k.Kind)
	}
}

// A workload as large as real ones get: hundreds of containers of every kind, each with its own settings,
// and plenty of fields the rules never read.
func TestDecodeAgreesWithAPITypesOnLargeObject(t *testing.T) {
	profiles := []*corev1.SecurityContext{
		nil,
		{AllowPrivilegeEscalation: new(false)},
		{AllowPrivilegeEscalation: new(true), Privileged: new(true)},
		{RunAsNonRoot: new(false), RunAsUser: new(int64(0))},
		{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}},
		{AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost}},
		{RunAsNonRoot: new(true), RunAsUser: new(int64(65532)), AllowPrivilegeEscalation: new(false)},
	}
	container := func(prefix string, i int) corev1.Container {
		c := corev1.Container{
			Name:            fmt.Sprintf("%s-%d", prefix, i),
			Image:           fmt.Sprintf("example.com/%s:%d", prefix, i),
			Command:         []string{"/bin/app", "--serve", fmt.Sprintf("--id=%d", i)},
			SecurityContext: profiles[i%len(profiles)],
		}
		for e := range 20 {
			c.Env = append(c.Env, corev1.EnvVar{Name: fmt.Sprintf("VAR_%d", e), Value: strings.Repeat("x", e*10)})
		}
		return c
	}
	d := appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "monolith", Namespace: "payments"},
	}
	tmpl := &d.Spec.Template
	tmpl.Annotations = map[string]string{}
	for i := range 300 {
		tmpl.Spec.Containers = append(tmpl.Spec.Containers, container("app", i))
		tmpl.Annotations[fmt.Sprintf("example.com/note-%d", i)] = strings.Repeat("n", i)
		if i%4 == 0 {
			tmpl.Annotations["container.apparmor.security.beta.kubernetes.io/"+tmpl.Spec.Containers[i].Name] = []string{"runtime/default", "unconfined"}[i/4%2]
		}
	}
	for i := range 40 {
		tmpl.Spec.InitContainers = append(tmpl.Spec.InitContainers, container("init", i))
	}
	for i := range 5 {
		tmpl.Spec.EphemeralContainers = append(tmpl.Spec.EphemeralContainers, corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon(container("debug", i))})
	}
	tmpl.Spec.SecurityContext = &corev1.PodSecurityContext{
		RunAsNonRoot:   new(true),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	data, err := json.Marshal(d)
	require.NoError(t, err)
	require.Greater(t, len(data), 500_000, "the object should be large")

	got := assertSameView(t, d.GroupVersionKind(), data)
	require.NotNil(t, got.Pod)
	assert.Len(t, got.Pod.Spec.Containers, 300)
	assert.Len(t, got.Pod.Spec.InitContainers, 40)
	assert.Len(t, got.Pod.Spec.EphemeralContainers, 5)
	assert.Equal(t, judgement.Denied, judged(d.GroupVersionKind().GroupKind(), data).Decision)
}
