package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// clusterSize is what the benchmark puts in the API server.
type clusterSize struct {
	deployments, podsPerDeployment, roleBindings, namespaces int
	// pdbs is how many Deployments (the first ones) have a PodDisruptionBudget.
	pdbs int
}

// listed is how many judged objects the audit lists: Deployments, ReplicaSets, Pods, RoleBindings and
// PodDisruptionBudgets.
func (s clusterSize) listed() int {
	return 2*s.deployments + s.deployments*s.podsPerDeployment + s.roleBindings + s.budgets()
}

// budgets is how many PodDisruptionBudgets are created: one per Deployment at most.
func (s clusterSize) budgets() int { return min(s.pdbs, s.deployments) }

// creators is how many creates are in flight at once: enough to keep the API server's two cores busy.
const creators = 32

// fill creates the objects directly: each Deployment, then its ReplicaSet and Pods owned by it as the
// controllers would own them. Every other Deployment breaks rules, so that the audit has findings to
// write, and every other RoleBinding binds a user.
func fill(ctx context.Context, cp *framework.ControlPlane, size clusterSize) (int, error) {
	cfg := rest.CopyConfig(cp.Config)
	cfg.QPS, cfg.Burst = -1, 0 // no client-side throttling: the API server is what is filled
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return 0, err
	}
	for i := range size.namespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespaceName(i)}}
		if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			return 0, err
		}
	}
	var created atomic.Int64
	jobs := make(chan func() error)
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	for range creators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				if err := job(); err != nil {
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	for i := range size.deployments {
		jobs <- func() error {
			n, err := createDeployment(ctx, client, i, size)
			created.Add(int64(n))
			return err
		}
	}
	for i := range size.roleBindings {
		jobs <- func() error {
			_, err := client.RbacV1().RoleBindings(namespaceName(i%size.namespaces)).Create(ctx, roleBinding(i), metav1.CreateOptions{})
			if err == nil {
				created.Add(1)
			}
			return err
		}
	}
	for i := range size.budgets() {
		jobs <- func() error {
			_, err := client.PolicyV1().PodDisruptionBudgets(namespaceName(i%size.namespaces)).Create(ctx, budget(i, size), metav1.CreateOptions{})
			if err == nil {
				created.Add(1)
			}
			return err
		}
	}
	close(jobs)
	wg.Wait()
	return int(created.Load()), firstErr
}

func namespaceName(i int) string { return fmt.Sprintf("team-%02d", i) }

func podSpec(compliant bool) corev1.PodSpec {
	sc := &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}
	if !compliant {
		sc = &corev1.SecurityContext{Privileged: ptr.To(true), RunAsUser: ptr.To[int64](0)}
	}
	return corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:    ptr.To(compliant),
			SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1.0", SecurityContext: sc}},
	}
}

// createDeployment creates Deployment i, its ReplicaSet and its Pods, returning how many it created.
func createDeployment(ctx context.Context, client kubernetes.Interface, i int, size clusterSize) (int, error) {
	ns := namespaceName(i % size.namespaces)
	name := fmt.Sprintf("app-%04d", i)
	labels := map[string]string{"app": name}
	spec := podSpec(i%2 == 0)
	d, err := client.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(size.podsPerDeployment)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return 0, err
	}
	rs, err := client.AppsV1().ReplicaSets(ns).Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-5d8f7", OwnerReferences: []metav1.OwnerReference{controlledBy("apps/v1", "Deployment", d.Name, d.UID)}},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To(int32(size.podsPerDeployment)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return 1, err
	}
	for p := range size.podsPerDeployment {
		_, err := client.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name: fmt.Sprintf("%s-%d", rs.Name, p), Labels: labels,
				OwnerReferences: []metav1.OwnerReference{controlledBy("apps/v1", "ReplicaSet", rs.Name, rs.UID)},
			},
			Spec: spec,
		}, metav1.CreateOptions{})
		if err != nil {
			return 2 + p, err
		}
	}
	return 2 + size.podsPerDeployment, nil
}

func controlledBy(apiVersion, kind, name string, uid types.UID) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: name, UID: uid, Controller: ptr.To(true)}
}

// budget is the PodDisruptionBudget of Deployment i: one pod at a time may go, except for every fourth
// Deployment, whose budget keeps all its pods and so blocks drains (drain-blocked).
func budget(i int, size clusterSize) *policyv1.PodDisruptionBudget {
	minAvailable := intstr.FromInt32(int32(size.podsPerDeployment - 1))
	if i%4 == 0 {
		minAvailable = intstr.FromInt32(int32(size.podsPerDeployment))
	}
	name := fmt.Sprintf("app-%04d", i)
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: &minAvailable,
			Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
		},
	}
}

func roleBinding(i int) *rbacv1.RoleBinding {
	subject := rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "app", Namespace: namespaceName(0)}
	if i%2 == 1 {
		subject = rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("dev%d@contoso.com", i)}
	}
	return &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("binding-%04d", i)},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{subject},
	}
}
