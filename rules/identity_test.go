package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// keysOf runs the registered rule id on pod and returns the keys of what it finds, as ratcheting reads them.
func keysOf(t *testing.T, id string, pod Pod) []Key {
	t.Helper()
	opts := DefaultOptions()
	var keys []Key
	for _, v := range ruleByID(t, id).CheckPod(&pod, &opts) {
		keys = append(keys, v.Keys()...)
	}
	return keys
}

func TestKeys(t *testing.T) {
	app := ContainerID{Kind: RegularContainer, Name: "app"}
	rootPod := func(p *Pod) { podSC(p).RunAsUser = new(int64(0)) }
	tests := []struct {
		name string
		rule string
		pod  Pod
		want []Key
	}{
		{
			name: "a pod-level value is keyed for each container that inherits it, by kind",
			rule: "run-as-root",
			pod: podWith(tweaks(rootPod, withInitAndEphemeral, func(p *Pod) {
				p.Spec.InitContainers = append(p.Spec.InitContainers, safeContainer("proxy"))
				p.Spec.InitContainers[1].RestartPolicy = new(corev1.ContainerRestartPolicyAlways)
			})),
			want: []Key{
				{Rule: "run-as-root", Container: ContainerID{InitContainer, "init"}, Setting: "securityContext.runAsUser", Value: "0"},
				{Rule: "run-as-root", Container: ContainerID{SidecarContainer, "proxy"}, Setting: "securityContext.runAsUser", Value: "0"},
				{Rule: "run-as-root", Container: app, Setting: "securityContext.runAsUser", Value: "0"},
				{Rule: "run-as-root", Container: ContainerID{EphemeralContainer, "debug"}, Setting: "securityContext.runAsUser", Value: "0"},
			},
		},
		{
			name: "a container's own value is keyed by the same setting as the pod's",
			rule: "run-as-root",
			pod:  podWith(func(p *Pod) { containerSC(p, 0).RunAsUser = new(int64(0)) }),
			want: []Key{{Rule: "run-as-root", Container: app, Setting: "securityContext.runAsUser", Value: "0"}},
		},
		{
			name: "unset and Unconfined are different values",
			rule: "seccomp-profile",
			pod: podWith(func(p *Pod) {
				podSC(p).SeccompProfile = nil
				p.Spec.Containers = append(p.Spec.Containers, safeContainer("sidecar"))
				containerSC(p, 1).SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
			}),
			want: []Key{
				{Rule: "seccomp-profile", Container: app, Setting: "securityContext.seccompProfile", Value: Unset},
				{Rule: "seccomp-profile", Container: ContainerID{RegularContainer, "sidecar"}, Setting: "securityContext.seccompProfile", Value: "Unconfined"},
			},
		},
		{
			name: "an AppArmor annotation is keyed as the field it stands for",
			rule: "apparmor-profile",
			pod:  podWith(func(p *Pod) { p.Annotations = map[string]string{AppArmorAnnotationPrefix + "app": "unconfined"} }),
			want: []Key{{Rule: "apparmor-profile", Container: app, Setting: "securityContext.appArmorProfile", Value: "Unconfined"}},
		},
		{
			name: "hostNetwork reaches every container",
			rule: "host-namespaces",
			pod:  podWith(tweaks(withInitAndEphemeral, func(p *Pod) { p.Spec.HostNetwork = true })),
			want: []Key{
				{Rule: "host-namespaces", Container: ContainerID{InitContainer, "init"}, Setting: "spec.hostNetwork", Value: "true"},
				{Rule: "host-namespaces", Container: app, Setting: "spec.hostNetwork", Value: "true"},
				{Rule: "host-namespaces", Container: ContainerID{EphemeralContainer, "debug"}, Setting: "spec.hostNetwork", Value: "true"},
			},
		},
		{
			name: "a hostPath is keyed by path and mount, for each container that mounts it",
			rule: "host-path-volumes",
			pod: podWith(tweaks(inDeployment, func(p *Pod) {
				p.Spec.Volumes = []Volume{{Name: "logs", HostPath: &HostPath{Path: "/var/log"}}, {Name: "idle", HostPath: &HostPath{Path: "/"}}}
				p.Spec.Containers[0].VolumeMounts = []VolumeMount{{Name: "logs", SubPath: "app"}, {Name: "logs", ReadOnly: true}}
			})),
			want: []Key{
				{Rule: "host-path-volumes", Container: app, Setting: "spec.template.spec.volumes[].hostPath", Value: `hostPath "/var/log" at subPath "app" readable`},
				{Rule: "host-path-volumes", Container: app, Setting: "spec.template.spec.volumes[].hostPath", Value: `hostPath "/var/log" at subPath "app" writable`},
				{Rule: "host-path-volumes", Container: app, Setting: "spec.template.spec.volumes[].hostPath", Value: `hostPath "/var/log" readable`},
				{Rule: "host-path-volumes", Setting: "spec.template.spec.volumes[].hostPath", Value: `hostPath "/" not mounted`},
			},
		},
		{
			name: "each added capability is a value",
			rule: "added-capabilities",
			pod: podWith(func(p *Pod) {
				containerSC(p, 0).Capabilities.Add = []corev1.Capability{"SYS_ADMIN", "CHOWN", "NET_ADMIN"}
			}),
			want: []Key{
				{Rule: "added-capabilities", Container: app, Setting: "spec.containers[].securityContext.capabilities.add", Value: "SYS_ADMIN"},
				{Rule: "added-capabilities", Container: app, Setting: "spec.containers[].securityContext.capabilities.add", Value: "NET_ADMIN"},
			},
		},
		{
			name: "a hostPort is keyed with its protocol and address",
			rule: "host-ports",
			pod: podWith(func(p *Pod) {
				p.Spec.Containers[0].Ports = []ContainerPort{{HostPort: 53, Protocol: corev1.ProtocolUDP, HostIP: "10.0.0.1"}, {HostPort: 80}}
			}),
			want: []Key{
				{Rule: "host-ports", Container: app, Setting: "spec.containers[].ports[].hostPort", Value: "53/UDP on 10.0.0.1"},
				{Rule: "host-ports", Container: app, Setting: "spec.containers[].ports[].hostPort", Value: "80/TCP"},
			},
		},
		{
			name: "pod-level SELinux options reach the containers without options of their own",
			rule: "selinux-options",
			pod: podWith(func(p *Pod) {
				podSC(p).SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"}
				p.Spec.Containers = append(p.Spec.Containers, safeContainer("sidecar"))
				containerSC(p, 1).SELinuxOptions = &corev1.SELinuxOptions{Type: "container_t"}
			}),
			want: []Key{{Rule: "selinux-options", Container: app, Setting: "spec.securityContext.seLinuxOptions.type", Value: "spc_t"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, keysOf(t, tt.rule, tt.pod))
		})
	}
}

// Not dropping ALL is keyed by the default capabilities the container keeps: dropping one more keeps a
// subset of the keys, dropping one fewer adds one.
func TestKeysOfKeptCapabilities(t *testing.T) {
	keys := func(drop ...corev1.Capability) map[Key]bool {
		pod := podWith(func(p *Pod) { containerSC(p, 0).Capabilities = &corev1.Capabilities{Drop: drop} })
		set := map[Key]bool{}
		for _, k := range keysOf(t, "minimal-capabilities", pod) {
			set[k] = true
		}
		return set
	}
	none, netRaw, both := keys(), keys("NET_RAW"), keys("NET_RAW", "CHOWN")
	assert.Len(t, none, len(baselineCapabilities)+2, "ALL not dropped, and every default capability")
	assert.Subset(t, none, netRaw)
	assert.Subset(t, netRaw, both)
	assert.NotSubset(t, both, netRaw)
}

func TestKeysOfBindings(t *testing.T) {
	opts := DefaultOptions()
	binding := &Binding{
		RoleRef:  rbacv1.RoleRef{Kind: "ClusterRole", Name: "edit"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: "alice"}},
	}
	var keys []Key
	for _, v := range ruleByID(t, "user-subject").CheckBinding(binding, &opts) {
		keys = append(keys, v.Keys()...)
	}
	assert.Equal(t, []Key{{Rule: "user-subject", Setting: "subjects[]", Value: `User "alice" bound to ClusterRole "edit"`}}, keys)
}

// Every violation of every pod rule says what it reaches, and a container's own violation reaches that
// container: a violation without reaches would match any old one of its rule and setting.
func TestEveryViolationReaches(t *testing.T) {
	pod := podWith(tweaks(withInitAndEphemeral, func(p *Pod) {
		p.Spec.HostNetwork, p.Spec.HostPID, p.Spec.HostIPC = true, true, true
		podSC(p).RunAsUser = new(int64(0))
		podSC(p).Sysctls = []corev1.Sysctl{{Name: "kernel.msgmax", Value: "1"}}
		podSC(p).SELinuxOptions = &corev1.SELinuxOptions{User: "u", Role: "r", Type: "spc_t"}
		podSC(p).WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: new(true)}
		p.Spec.Volumes = []Volume{{Name: "h", HostPath: &HostPath{Path: "/"}}, {Name: "n", NFS: &Present{}}}
		c := &p.Spec.Containers[0]
		c.SecurityContext = &corev1.SecurityContext{
			Privileged: new(true), AllowPrivilegeEscalation: new(true), RunAsNonRoot: new(false),
			SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined},
			AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined},
			Capabilities:    &corev1.Capabilities{Add: []corev1.Capability{"SYS_ADMIN"}},
			ProcMount:       new(corev1.UnmaskedProcMount),
			SELinuxOptions:  &corev1.SELinuxOptions{Type: "spc_t"},
			WindowsOptions:  &corev1.WindowsSecurityContextOptions{HostProcess: new(true)},
		}
		c.Ports = []ContainerPort{{HostPort: 80}}
		c.LivenessProbe = &Handler{HTTPGet: &HostAction{Host: "10.0.0.1"}}
		c.VolumeMounts = []VolumeMount{{Name: "h"}, {Name: "n"}}
	}))
	opts := OptionsFor(Restricted, Latest)
	seen := map[string]bool{}
	for _, r := range podRules() {
		for _, v := range r.CheckPod(&pod, &opts) {
			seen[r.ID] = true
			if !assert.NotEmpty(t, v.Identity.Reaches, "%s %s", v.Rule, v.Field) {
				continue
			}
			for _, reach := range v.Identity.Reaches {
				assert.NotEmpty(t, reach.Value, "%s %s", v.Rule, v.Field)
				if v.Container != "" {
					assert.Equal(t, v.Container, reach.Container.Name, "%s %s", v.Rule, v.Field)
				}
			}
		}
	}
	for _, r := range podRules() {
		assert.True(t, seen[r.ID], "the pod breaks %s", r.ID)
	}
}

func TestWithoutIndexes(t *testing.T) {
	assert.Equal(t, "spec.containers[].securityContext.privileged", WithoutIndexes("spec.containers[12].securityContext.privileged"))
	// Map keys are part of the setting's name.
	assert.Equal(t, "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]",
		WithoutIndexes("metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]"))
	// A bracket that is not a whole index is left as it is.
	assert.Equal(t, "spec.volumes[].hostPath[1", WithoutIndexes("spec.volumes[].hostPath[1"))
	assert.Equal(t, "spec.volumes[x1].hostPath", WithoutIndexes("spec.volumes[x1].hostPath"))
}
