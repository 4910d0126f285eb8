package e2e

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// workload is a kind that carries a pod spec, with what kubectl and kubeguard call it.
type workload struct {
	kind string
	// resource is how the API server names the resource in messages, e.g. deployments.apps.
	resource string
	// specPath is the field path of the pod spec inside the object.
	specPath string
	// build wraps a pod spec into an object of the kind.
	build func(name string, spec corev1.PodSpec) runtime.Object
}

var appLabels = map[string]string{"app": "web"}

func template(spec corev1.PodSpec) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: appLabels}, Spec: spec}
}

// runToCompletion sets the restart policy that Jobs and CronJobs require.
func runToCompletion(spec corev1.PodSpec) corev1.PodSpec {
	spec.RestartPolicy = corev1.RestartPolicyNever
	return spec
}

var workloads = []workload{
	{kind: "Pod", resource: "pods", specPath: "spec", build: func(name string, spec corev1.PodSpec) runtime.Object {
		return &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec}
	}},
	{kind: "Deployment", resource: "deployments.apps", specPath: "spec.template.spec", build: func(name string, spec corev1.PodSpec) runtime.Object {
		return &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: appLabels}, Template: template(spec)},
		}
	}},
	{kind: "StatefulSet", resource: "statefulsets.apps", specPath: "spec.template.spec", build: func(name string, spec corev1.PodSpec) runtime.Object {
		return &appsv1.StatefulSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       appsv1.StatefulSetSpec{Selector: &metav1.LabelSelector{MatchLabels: appLabels}, Template: template(spec)},
		}
	}},
	{kind: "DaemonSet", resource: "daemonsets.apps", specPath: "spec.template.spec", build: func(name string, spec corev1.PodSpec) runtime.Object {
		return &appsv1.DaemonSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: appLabels}, Template: template(spec)},
		}
	}},
	{kind: "Job", resource: "jobs.batch", specPath: "spec.template.spec", build: func(name string, spec corev1.PodSpec) runtime.Object {
		return &batchv1.Job{
			TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: runToCompletion(spec)}},
		}
	}},
	{kind: "CronJob", resource: "cronjobs.batch", specPath: "spec.jobTemplate.spec.template.spec", build: func(name string, spec corev1.PodSpec) runtime.Object {
		return &batchv1.CronJob{
			TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: batchv1.CronJobSpec{
				Schedule:    "*/5 * * * *",
				JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: runToCompletion(spec)}}},
			},
		}
	}},
}

// compliantPodSpec passes every rule: non-root, RuntimeDefault seccomp and AppArmor profiles set for
// the pod, and no privilege escalation in either container.
func compliantPodSpec() corev1.PodSpec {
	container := func(name string) corev1.Container {
		return corev1.Container{
			Name:  name,
			Image: "registry.example/" + name + ":1.0",
			SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr.To(false),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			},
		}
	}
	return corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:    ptr.To(true),
			SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{container("app"), container("sidecar")},
	}
}

// violation is what the denial must say about one offending field.
type violation struct {
	rule string
	// field is the start of the reported field path: a rule may point inside it (e.g. at .type).
	field string
}

// noncompliantPodSpec breaks every pod rule once, all in the container "app" and at container level,
// so that each rule reports exactly one field. The container "sidecar" stays compliant.
func noncompliantPodSpec() corev1.PodSpec {
	spec := compliantPodSpec()
	spec.Containers[0].SecurityContext = &corev1.SecurityContext{
		Privileged:               ptr.To(true),
		AllowPrivilegeEscalation: ptr.To(true),
		RunAsUser:                ptr.To[int64](0),
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined},
		AppArmorProfile:          &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined},
	}
	return spec
}

// noncompliantViolations lists what kubeguard must report for noncompliantPodSpec under specPath, in
// the rules' order.
func noncompliantViolations(specPath string) []violation {
	sc := specPath + ".containers[0].securityContext."
	return []violation{
		{rule: "privileged", field: sc + "privileged"},
		{rule: "privilege-escalation", field: sc + "allowPrivilegeEscalation"},
		{rule: "run-as-root", field: sc + "runAsUser"},
		{rule: "seccomp-profile", field: sc + "seccompProfile"},
		{rule: "apparmor-profile", field: sc + "appArmorProfile"},
	}
}

// binding is a RoleBinding or ClusterRoleBinding kind.
type binding struct {
	kind     string
	resource string
	build    func(name string, subject rbacv1.Subject) runtime.Object
}

var viewRole = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}

var bindings = []binding{
	{kind: "RoleBinding", resource: "rolebindings.rbac.authorization.k8s.io", build: func(name string, subject rbacv1.Subject) runtime.Object {
		return &rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Subjects:   []rbacv1.Subject{subject},
			RoleRef:    viewRole,
		}
	}},
	{kind: "ClusterRoleBinding", resource: "clusterrolebindings.rbac.authorization.k8s.io", build: func(name string, subject rbacv1.Subject) runtime.Object {
		return &rbacv1.ClusterRoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Subjects:   []rbacv1.Subject{subject},
			RoleRef:    viewRole,
		}
	}},
}

func userSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
}

func groupSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: name}
}

func serviceAccountSubject(namespace, name string) rbacv1.Subject {
	return rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}
}

// objectName is a DNS-1123 name for a test object of kind.
func objectName(prefix, kind string) string {
	return fmt.Sprintf("%s-%s", prefix, strings.ToLower(kind))
}
