package webhook_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/go-logr/logr"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/uuid"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/kubeguard/kubeguard/objects"
)

func TestMain(m *testing.M) {
	// controller-runtime logs through a global logger and complains, with a stack trace, when none is set.
	ctrllog.SetLogger(logr.Discard())
	code := m.Run()
	if code == 0 {
		code = checkUnusedGoldenAnswers()
	}
	os.Exit(code)
}

const (
	namespace = "payments"
	developer = "alice@contoso.com"
)

// compliantSpec passes every rule: the pod sets what its container inherits, the container disallows
// privilege escalation.
func compliantSpec() corev1.PodSpec {
	return corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:    new(true),
			SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{{
			Name:            "web",
			Image:           "example.com/web:1.0",
			SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: new(false)},
		}},
	}
}

// privilegedSpec breaks two rules in container "web": privileged and privilege-escalation.
func privilegedSpec() corev1.PodSpec {
	spec := compliantSpec()
	spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: new(true), AllowPrivilegeEscalation: new(true)}
	return spec
}

// privilegedViolations are privilegedSpec's violations when its pod spec sits at specPath.
func privilegedViolations(specPath string) []found {
	return []found{
		{"privileged", "web", specPath + ".containers[0].securityContext.privileged"},
		{"privilege-escalation", "web", specPath + ".containers[0].securityContext.allowPrivilegeEscalation"},
	}
}

func newPod(name string, spec corev1.PodSpec) *corev1.Pod {
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{"app": name}},
		Spec:       spec,
	}
}

func template(spec corev1.PodSpec) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}}, Spec: spec}
}

func objectMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{"app": name}}
}

var selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}

func newDeployment(name string, spec corev1.PodSpec) *appsv1.Deployment {
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(name),
		Spec:       appsv1.DeploymentSpec{Replicas: new(int32(2)), Selector: selector, Template: template(spec)},
	}
}

// podKinds builds an object of every kind that carries a pod spec, with the path of that spec: where the
// Kubernetes API keeps it, written down here to check kubeguard's kind table (objects.Kinds) against.
var podKinds = []struct {
	kind     schema.GroupKind
	specPath string
	build    func(name string, spec corev1.PodSpec) runtime.Object
}{
	{schema.GroupKind{Kind: "Pod"}, "spec", func(name string, spec corev1.PodSpec) runtime.Object { return newPod(name, spec) }},
	{schema.GroupKind{Kind: "PodTemplate"}, "template.spec", func(name string, spec corev1.PodSpec) runtime.Object {
		return &corev1.PodTemplate{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PodTemplate"}, ObjectMeta: objectMeta(name), Template: template(spec)}
	}},
	{schema.GroupKind{Kind: "ReplicationController"}, "spec.template.spec", func(name string, spec corev1.PodSpec) runtime.Object {
		tmpl := template(spec)
		return &corev1.ReplicationController{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ReplicationController"}, ObjectMeta: objectMeta(name),
			Spec: corev1.ReplicationControllerSpec{Selector: map[string]string{"app": "web"}, Template: &tmpl},
		}
	}},
	{schema.GroupKind{Group: "apps", Kind: "Deployment"}, "spec.template.spec", func(name string, spec corev1.PodSpec) runtime.Object { return newDeployment(name, spec) }},
	{schema.GroupKind{Group: "apps", Kind: "ReplicaSet"}, "spec.template.spec", func(name string, spec corev1.PodSpec) runtime.Object {
		return &appsv1.ReplicaSet{
			TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "ReplicaSet"}, ObjectMeta: objectMeta(name),
			Spec: appsv1.ReplicaSetSpec{Selector: selector, Template: template(spec)},
		}
	}},
	{schema.GroupKind{Group: "apps", Kind: "StatefulSet"}, "spec.template.spec", func(name string, spec corev1.PodSpec) runtime.Object {
		return &appsv1.StatefulSet{
			TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"}, ObjectMeta: objectMeta(name),
			Spec: appsv1.StatefulSetSpec{ServiceName: name, Selector: selector, Template: template(spec)},
		}
	}},
	{schema.GroupKind{Group: "apps", Kind: "DaemonSet"}, "spec.template.spec", func(name string, spec corev1.PodSpec) runtime.Object {
		return &appsv1.DaemonSet{
			TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}, ObjectMeta: objectMeta(name),
			Spec: appsv1.DaemonSetSpec{Selector: selector, Template: template(spec)},
		}
	}},
	{schema.GroupKind{Group: "batch", Kind: "Job"}, "spec.template.spec", func(name string, spec corev1.PodSpec) runtime.Object {
		spec.RestartPolicy = corev1.RestartPolicyNever
		return &batchv1.Job{
			TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"}, ObjectMeta: objectMeta(name),
			Spec: batchv1.JobSpec{Template: template(spec)},
		}
	}},
	{schema.GroupKind{Group: "batch", Kind: "CronJob"}, "spec.jobTemplate.spec.template.spec", func(name string, spec corev1.PodSpec) runtime.Object {
		spec.RestartPolicy = corev1.RestartPolicyOnFailure
		return &batchv1.CronJob{
			TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"}, ObjectMeta: objectMeta(name),
			Spec: batchv1.CronJobSpec{Schedule: "@hourly", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: template(spec)}}},
		}
	}},
}

func newRoleBinding(name string, subjects ...rbacv1.Subject) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   subjects,
	}
}

func newClusterRoleBinding(name string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   subjects,
	}
}

func user(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
}

func group(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
}

func serviceAccount(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: namespace}
}

// unjudgedResources are the resources of the kinds kubeguard does not judge that requests use; a judged
// kind's resource is its row of objects.Kinds.
var unjudgedResources = map[string]string{"ConfigMap": "configmaps", "Scale": "deployments", "Eviction": "pods"}

// resourceOf is the resource of a kind, as the API server fills the request.
func resourceOf(t testing.TB, gk schema.GroupKind) string {
	t.Helper()
	if k, ok := objects.Lookup(gk); ok {
		return k.Resource
	}
	resource, ok := unjudgedResources[gk.Kind]
	require.True(t, ok, "the tests know the resource of %s", gk)
	return resource
}

// review builds the AdmissionRequest the API server sends for op on obj (old for UPDATE and DELETE), by a
// developer, as JSON objects like the API server's.
func review(t testing.TB, op admissionv1.Operation, obj, old runtime.Object, opts ...func(*admissionv1.AdmissionRequest)) admissionv1.AdmissionRequest {
	t.Helper()
	subject := obj
	if subject == nil {
		subject = old
	}
	gvk := subject.GetObjectKind().GroupVersionKind()
	require.NotEmpty(t, gvk.Kind, "objects carry their kind")
	accessor, err := meta.Accessor(subject)
	require.NoError(t, err)
	req := admissionv1.AdmissionRequest{
		UID:         uuid.NewUUID(),
		Kind:        metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind},
		Resource:    metav1.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: resourceOf(t, gvk.GroupKind())},
		Name:        accessor.GetName(),
		Namespace:   accessor.GetNamespace(),
		Operation:   op,
		UserInfo:    authenticationv1.UserInfo{Username: developer, Groups: []string{"payments-devs", "system:authenticated"}},
		Object:      rawObject(t, obj),
		OldObject:   rawObject(t, old),
		DryRun:      new(false),
		RequestKind: &metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind},
	}
	for _, opt := range opts {
		opt(&req)
	}
	return req
}

func rawObject(t testing.TB, obj runtime.Object) runtime.RawExtension {
	t.Helper()
	if obj == nil {
		return runtime.RawExtension{}
	}
	data, err := json.Marshal(obj)
	require.NoError(t, err)
	return runtime.RawExtension{Raw: data}
}

func asUser(name string, groups ...string) func(*admissionv1.AdmissionRequest) {
	return func(r *admissionv1.AdmissionRequest) {
		r.UserInfo = authenticationv1.UserInfo{Username: name, Groups: groups}
	}
}

func subResource(name string) func(*admissionv1.AdmissionRequest) {
	return func(r *admissionv1.AdmissionRequest) { r.SubResource = name }
}

func inNamespace(ns string) func(*admissionv1.AdmissionRequest) {
	return func(r *admissionv1.AdmissionRequest) { r.Namespace = ns }
}

// reviewBody wraps a request in an AdmissionReview, as the API server posts it.
func reviewBody(t testing.TB, req admissionv1.AdmissionRequest) []byte {
	t.Helper()
	body, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request:  &req,
	})
	require.NoError(t, err)
	return body
}

// post sends body to path on h and returns the HTTP status and the AdmissionReview answered.
func post(t *testing.T, h http.Handler, path, contentType string, body []byte) (int, admissionv1.AdmissionReview) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var answer admissionv1.AdmissionReview
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &answer), "the answer is an AdmissionReview: %s", w.Body.String())
	return w.Code, answer
}
