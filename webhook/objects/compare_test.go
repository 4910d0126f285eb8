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
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	kjson "sigs.k8s.io/json"

	"github.com/kubeguard/kubeguard/rules"
	"github.com/kubeguard/kubeguard/webhook/objects"
)

// reference is what the rules read of an object, found the long way: by decoding it into its complete API
// type as the API server does (case-sensitive field names, integers kept) and converting with
// rules.PodFromCore.
type reference struct {
	name    string
	pod     *rules.Pod
	binding *rules.Binding
}

// decodeReference decodes data as the complete API type of kind.
func decodeReference(kind string, data []byte) (reference, error) {
	spec := field.NewPath("spec", "template")
	switch kind {
	case "Pod":
		var o corev1.Pod
		return podReference(data, &o, &o.ObjectMeta, nil, &o.ObjectMeta, &o.Spec)
	case "PodTemplate":
		var o corev1.PodTemplate
		return podReference(data, &o, &o.ObjectMeta, field.NewPath("template"), &o.Template.ObjectMeta, &o.Template.Spec)
	case "ReplicationController":
		var o corev1.ReplicationController
		if err := kjson.UnmarshalCaseSensitivePreserveInts(data, &o); err != nil {
			return reference{}, err
		}
		// The template is optional here, and only here; without one there is nothing to judge.
		if o.Spec.Template == nil {
			o.Spec.Template = &corev1.PodTemplateSpec{}
		}
		pod := rules.PodFromCore(spec, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
		return reference{name: displayName(&o.ObjectMeta), pod: &pod}, nil
	case "Deployment":
		var o appsv1.Deployment
		return podReference(data, &o, &o.ObjectMeta, spec, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "ReplicaSet":
		var o appsv1.ReplicaSet
		return podReference(data, &o, &o.ObjectMeta, spec, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "StatefulSet":
		var o appsv1.StatefulSet
		return podReference(data, &o, &o.ObjectMeta, spec, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "DaemonSet":
		var o appsv1.DaemonSet
		return podReference(data, &o, &o.ObjectMeta, spec, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "Job":
		var o batchv1.Job
		return podReference(data, &o, &o.ObjectMeta, spec, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "CronJob":
		var o batchv1.CronJob
		tmpl := &o.Spec.JobTemplate.Spec.Template
		return podReference(data, &o, &o.ObjectMeta, field.NewPath("spec", "jobTemplate", "spec", "template"), &tmpl.ObjectMeta, &tmpl.Spec)
	case "RoleBinding":
		var o rbacv1.RoleBinding
		err := kjson.UnmarshalCaseSensitivePreserveInts(data, &o)
		return reference{name: displayName(&o.ObjectMeta), binding: &rules.Binding{Subjects: o.Subjects}}, err
	case "ClusterRoleBinding":
		var o rbacv1.ClusterRoleBinding
		err := kjson.UnmarshalCaseSensitivePreserveInts(data, &o)
		return reference{name: displayName(&o.ObjectMeta), binding: &rules.Binding{Subjects: o.Subjects}}, err
	}
	return reference{}, fmt.Errorf("no reference decoding for kind %q", kind)
}

func podReference(data []byte, into any, meta *metav1.ObjectMeta, path *field.Path, podMeta *metav1.ObjectMeta, spec *corev1.PodSpec) (reference, error) {
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, into); err != nil {
		return reference{}, err
	}
	pod := rules.PodFromCore(path, podMeta, spec)
	return reference{name: displayName(meta), pod: &pod}, nil
}

// displayName is how kubeguard names an object: its name, or its generateName and "*" while the server has
// yet to pick one.
func displayName(meta *metav1.ObjectMeta) string {
	if meta.Name == "" && meta.GenerateName != "" {
		return meta.GenerateName + "*"
	}
	return meta.Name
}

// judge runs every rule that applies, in evaluation order, with the default settings.
func judge(pod *rules.Pod, binding *rules.Binding) []rules.Violation {
	opts := rules.DefaultOptions()
	var out []rules.Violation
	for _, r := range rules.All() {
		switch {
		case pod != nil && r.CheckPod != nil:
			out = append(out, r.CheckPod(pod, &opts)...)
		case binding != nil && r.CheckBinding != nil:
			out = append(out, r.CheckBinding(binding, &opts)...)
		}
	}
	return out
}

// lookupKind finds a kind by name alone; the kinds kubeguard judges have distinct names.
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

// assertSameVerdicts decodes data both ways and asserts that the rules see the same object.
func assertSameVerdicts(t *testing.T, kind string, data []byte) []rules.Violation {
	t.Helper()
	want, err := decodeReference(kind, data)
	require.NoError(t, err, "the corpus holds only objects the API server accepts")

	got, err := objects.Decode(lookupKind(t, kind), data)
	require.NoError(t, err)
	assert.Equal(t, want.name, got.Name, "name")
	assert.Equal(t, want.pod == nil, got.Pod == nil, "pod view")
	assert.Equal(t, want.binding == nil, got.Binding == nil, "binding view")
	if want.pod != nil && got.Pod != nil {
		assert.Equal(t, want.pod.Path, got.Pod.Path, "template path")
		assert.Equal(t, want.pod.Annotations, got.Pod.Annotations, "template annotations")
	}
	violations := judge(got.Pod, got.Binding)
	assert.Equal(t, judge(want.pod, want.binding), violations, "violations")
	return violations
}

// TestDecodeAgreesWithAPITypes decodes every object in testdata/corpus both with objects.Decode and with the
// complete API types, and requires the rules to find the same violations. The corpus is written to be
// awkward: unknown fields, fields in unusual order, escaped strings, field names in the wrong case, nulls,
// duplicate keys, every kind of container. Files named pass-* must satisfy every rule, fail-* break one.
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
			kindsSeen[typeMeta.Kind] = true

			violations := assertSameVerdicts(t, typeMeta.Kind, data)
			switch {
			case strings.HasPrefix(name, "pass-"):
				assert.Empty(t, violations)
			case strings.HasPrefix(name, "fail-"):
				assert.NotEmpty(t, violations)
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

	violations := assertSameVerdicts(t, "Deployment", data)
	assert.NotEmpty(t, violations)
}
