package rules

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

// object is a decoded YAML manifest with what the rules read of it: a pod view for the kinds that carry a
// pod spec, a binding for RBAC bindings.
type object struct {
	kind      string
	name      string
	namespace string
	pod       *Pod
	binding   *Binding
}

// evaluate runs every rule that applies to the object, in registry order.
func (o object) evaluate(opts *Options) []Violation {
	var out []Violation
	for _, r := range All() {
		switch {
		case o.pod != nil && r.CheckPod != nil:
			out = append(out, r.CheckPod(o.pod, opts)...)
		case o.binding != nil && r.CheckBinding != nil:
			out = append(out, r.CheckBinding(o.binding, opts)...)
		}
	}
	return out
}

// readObject decodes the single object in a YAML file into the full API type of its kind, strictly, so that a
// misspelt field in a fixture or an example fails the test instead of being silently dropped.
func readObject(t *testing.T, path string) object {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var typeMeta metav1.TypeMeta
	require.NoError(t, yaml.Unmarshal(data, &typeMeta))
	o, err := decodeObject(typeMeta.Kind, data)
	require.NoError(t, err, path)
	return o
}

// decodeObject places each kind's pod template at the path the API serves it at.
func decodeObject(kind string, data []byte) (object, error) {
	template := field.NewPath("spec", "template")
	switch kind {
	case "Pod":
		var o corev1.Pod
		return podObject(kind, data, &o, &o.ObjectMeta, nil, &o.ObjectMeta, &o.Spec)
	case "PodTemplate":
		var o corev1.PodTemplate
		return podObject(kind, data, &o, &o.ObjectMeta, field.NewPath("template"), &o.Template.ObjectMeta, &o.Template.Spec)
	case "ReplicationController":
		var o corev1.ReplicationController
		o.Spec.Template = &corev1.PodTemplateSpec{}
		return podObject(kind, data, &o, &o.ObjectMeta, template, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "Deployment":
		var o appsv1.Deployment
		return podObject(kind, data, &o, &o.ObjectMeta, template, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "StatefulSet":
		var o appsv1.StatefulSet
		return podObject(kind, data, &o, &o.ObjectMeta, template, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "DaemonSet":
		var o appsv1.DaemonSet
		return podObject(kind, data, &o, &o.ObjectMeta, template, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "ReplicaSet":
		var o appsv1.ReplicaSet
		return podObject(kind, data, &o, &o.ObjectMeta, template, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "Job":
		var o batchv1.Job
		return podObject(kind, data, &o, &o.ObjectMeta, template, &o.Spec.Template.ObjectMeta, &o.Spec.Template.Spec)
	case "CronJob":
		var o batchv1.CronJob
		t := &o.Spec.JobTemplate.Spec.Template
		return podObject(kind, data, &o, &o.ObjectMeta, field.NewPath("spec", "jobTemplate", "spec", "template"), &t.ObjectMeta, &t.Spec)
	case "RoleBinding":
		var o rbacv1.RoleBinding
		return bindingObject(kind, data, &o, &o.ObjectMeta, &o.Subjects)
	case "ClusterRoleBinding":
		var o rbacv1.ClusterRoleBinding
		return bindingObject(kind, data, &o, &o.ObjectMeta, &o.Subjects)
	}
	return object{}, fmt.Errorf("kind %q is not one the rules judge", kind)
}

// podObject decodes data into into, whose object metadata, pod metadata and pod spec the pointers reach.
func podObject(kind string, data []byte, into any, meta *metav1.ObjectMeta, path *field.Path, podMeta *metav1.ObjectMeta, spec *corev1.PodSpec) (object, error) {
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		return object{}, err
	}
	pod := PodFromCore(path, podMeta, spec)
	return object{kind: kind, name: meta.Name, namespace: meta.Namespace, pod: &pod}, nil
}

// bindingObject decodes data into into, whose object metadata and subjects the pointers reach.
func bindingObject(kind string, data []byte, into any, meta *metav1.ObjectMeta, subjects *[]rbacv1.Subject) (object, error) {
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		return object{}, err
	}
	return object{kind: kind, name: meta.Name, namespace: meta.Namespace, binding: &Binding{Subjects: *subjects}}, nil
}

// messageLine renders a violation the way the webhook lists it under a denial, for readable golden files.
func messageLine(v Violation) string {
	var b strings.Builder
	b.WriteString(v.Rule + ": ")
	if v.Container != "" {
		fmt.Fprintf(&b, "container %q: ", v.Container)
	}
	b.WriteString(v.Field + ": " + v.Problem + ". Fix: " + v.Fix)
	return b.String()
}
