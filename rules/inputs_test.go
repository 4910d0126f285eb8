package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestPodSameInputs(t *testing.T) {
	const appKey = "container.apparmor.security.beta.kubernetes.io/app"
	annotated := func(kv ...string) func(*Pod) {
		return func(p *Pod) {
			p.Annotations = map[string]string{}
			for i := 0; i+1 < len(kv); i += 2 {
				p.Annotations[kv[i]] = kv[i+1]
			}
		}
	}

	tests := []struct {
		name string
		old  Pod
		new  Pod
		same bool
	}{
		{name: "identical", old: compliantPod(), new: compliantPod(), same: true},
		{
			name: "other annotations change",
			old:  podWith(annotated("team", "a", appKey, "runtime/default")),
			new:  podWith(annotated("team", "b", "kubectl.kubernetes.io/restartedAt", "now", appKey, "runtime/default")),
			same: true,
		},
		{name: "nil and empty annotations", old: compliantPod(), new: podWith(annotated()), same: true},
		{name: "placement does not count", old: compliantPod(), new: podWith(inDeployment), same: true},
		{
			name: "empty and missing container lists",
			old:  compliantPod(),
			new:  podWith(func(p *Pod) { p.Spec.InitContainers = []Container{} }),
			same: true,
		},
		{name: "AppArmor annotation added", old: compliantPod(), new: podWith(annotated(appKey, "unconfined"))},
		{name: "AppArmor annotation removed", old: podWith(annotated(appKey, "unconfined")), new: compliantPod()},
		{name: "AppArmor annotation changed", old: podWith(annotated(appKey, "runtime/default")), new: podWith(annotated(appKey, "unconfined"))},
		// The seccomp annotations are read under Pod Security versions before v1.19.
		{name: "pod seccomp annotation added", old: compliantPod(), new: podWith(annotated(SeccompPodAnnotation, "unconfined"))},
		{name: "container seccomp annotation changed", old: podWith(annotated(SeccompContainerAnnotationPrefix+"app", "runtime/default")), new: podWith(annotated(SeccompContainerAnnotationPrefix+"app", "unconfined"))},
		{name: "container securityContext changed", old: compliantPod(), new: podWith(func(p *Pod) { containerSC(p, 0).Privileged = new(true) })},
		{name: "pod securityContext changed", old: compliantPod(), new: podWith(func(p *Pod) { podSC(p).RunAsUser = new(int64(0)) })},
		{name: "container renamed", old: compliantPod(), new: podWith(func(p *Pod) { p.Spec.Containers[0].Name = "web" })},
		{name: "ephemeral container added", old: compliantPod(), new: podWith(func(p *Pod) {
			p.Spec.EphemeralContainers = []Container{safeContainer("debug")}
		})},
		{name: "os changed", old: compliantPod(), new: podWith(windows)},
		{name: "hostUsers changed", old: compliantPod(), new: podWith(func(p *Pod) { p.Spec.HostUsers = new(false) })},
		{name: "hostNetwork changed", old: compliantPod(), new: podWith(func(p *Pod) { p.Spec.HostNetwork = true })},
		{name: "volume source changed", old: podWith(func(p *Pod) { p.Spec.Volumes = []Volume{{Name: "v", EmptyDir: &Present{}}} }),
			new: podWith(func(p *Pod) { p.Spec.Volumes = []Volume{{Name: "v", HostPath: &HostPath{Path: "/var/run"}}} })},
		{name: "hostPort added", old: compliantPod(), new: podWith(func(p *Pod) { p.Spec.Containers[0].Ports = []ContainerPort{{HostPort: 80}} })},
		{name: "probe host set", old: podWith(func(p *Pod) { p.Spec.Containers[0].LivenessProbe = &Handler{HTTPGet: &HostAction{}} }),
			new: podWith(func(p *Pod) { p.Spec.Containers[0].LivenessProbe = &Handler{HTTPGet: &HostAction{Host: "10.0.0.1"}} })},
		{name: "lifecycle hook host set", old: compliantPod(), new: podWith(func(p *Pod) {
			p.Spec.Containers[0].Lifecycle = &Lifecycle{PreStop: &Handler{TCPSocket: &HostAction{Host: "node"}}}
		})},
		{name: "hostPath path widened", old: podWith(hostPathMounted("/var/log/app", true)), new: podWith(hostPathMounted("/", true))},
		{name: "hostPath mount made writable", old: podWith(hostPathMounted("/var/log/app", true)), new: podWith(hostPathMounted("/var/log/app", false))},
		{name: "hostPort moved to another address", old: podWith(func(p *Pod) { p.Spec.Containers[0].Ports = []ContainerPort{{HostPort: 80, HostIP: "127.0.0.1"}} }),
			new: podWith(func(p *Pod) { p.Spec.Containers[0].Ports = []ContainerPort{{HostPort: 80}} })},
		{name: "init container made a sidecar", old: podWith(withInitAndEphemeral), new: podWith(tweaks(withInitAndEphemeral, func(p *Pod) {
			p.Spec.InitContainers[0].RestartPolicy = new(corev1.ContainerRestartPolicyAlways)
		}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.same, tt.old.SameInputs(&tt.new))
			assert.Equal(t, tt.same, tt.new.SameInputs(&tt.old), "SameInputs is symmetric")
		})
	}
}

func TestBindingSameInputs(t *testing.T) {
	alice := rbacv1.Subject{Kind: rbacv1.UserKind, Name: "alice@contoso.com"}
	ops := rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "ops"}

	tests := []struct {
		name     string
		old, new []rbacv1.Subject
		same     bool
	}{
		{name: "identical", old: []rbacv1.Subject{alice, ops}, new: []rbacv1.Subject{alice, ops}, same: true},
		{name: "nil and empty", old: nil, new: []rbacv1.Subject{}, same: true},
		{name: "subject added", old: []rbacv1.Subject{ops}, new: []rbacv1.Subject{ops, alice}},
		{name: "reordered", old: []rbacv1.Subject{alice, ops}, new: []rbacv1.Subject{ops, alice}},
		{name: "kind changed", old: []rbacv1.Subject{ops}, new: []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: "ops"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, updated := Binding{Subjects: tt.old}, Binding{Subjects: tt.new}
			assert.Equal(t, tt.same, old.SameInputs(&updated))
		})
	}
}

// hostPathMounted gives the pod a hostPath volume at path, mounted by its container.
func hostPathMounted(path string, readOnly bool) func(p *Pod) {
	return func(p *Pod) {
		p.Spec.Volumes = []Volume{{Name: "logs", HostPath: &HostPath{Path: path}}}
		p.Spec.Containers[0].VolumeMounts = []VolumeMount{{Name: "logs", ReadOnly: readOnly}}
	}
}
