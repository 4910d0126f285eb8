package judgement_test

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubeguard/kubeguard/rules"
)

// choices reads a fuzzer's bytes as a sequence of small choices; once the bytes run out every choice is 0.
type choices struct{ data []byte }

func (c *choices) pick(n int) int {
	if len(c.data) == 0 || n <= 1 {
		return 0
	}
	b := c.data[0]
	c.data = c.data[1:]
	return int(b) % n
}

// oneOf returns one of values.
func oneOf[T any](c *choices, values ...T) T { return values[c.pick(len(values))] }

// The few names containers get, so that adding and renaming often reuse a name the old pod had.
var containerNames = []string{"web", "sidecar", "setup", "debug"}

// The lists a generated container may sit in; "sidecar" is an init container with restartPolicy: Always.
const (
	listInit = iota
	listSidecar
	listRegular
	listEphemeral
	listCount
)

// generatedPod builds a pod from c: one of a few starting points, then up to a dozen mutations.
func generatedPod(c *choices) *rules.Pod {
	pod := &rules.Pod{}
	switch c.pick(3) {
	case 0: // a legacy pod: nothing set anywhere
		pod.Spec.Containers = []rules.Container{{Name: "web"}}
	case 1: // a hardened pod
		pod.Spec.SecurityContext = &corev1.PodSecurityContext{
			RunAsNonRoot:    new(true),
			SeccompProfile:  &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
		}
		pod.Spec.Containers = []rules.Container{hardenedContainer("web")}
	case 2: // a legacy pod running as root, with an init container and a hostPath volume
		pod.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsUser: new(int64(0))}
		pod.Spec.InitContainers = []rules.Container{{Name: "setup"}}
		pod.Spec.Containers = []rules.Container{{Name: "web", VolumeMounts: []rules.VolumeMount{{Name: "logs", ReadOnly: true}}}}
		pod.Spec.Volumes = []rules.Volume{{Name: "logs", HostPath: &rules.HostPath{Path: "/var/log/app"}}}
	}
	mutate(c, pod, c.pick(13))
	return pod
}

// hardenedContainer passes every per-container check of every profile.
func hardenedContainer(name string) rules.Container {
	return rules.Container{Name: name, SecurityContext: &corev1.SecurityContext{
		AllowPrivilegeEscalation: new(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}}
}

// copyPod returns a deep copy of pod.
func copyPod(pod *rules.Pod) *rules.Pod {
	data, err := json.Marshal(pod)
	if err != nil {
		panic(err)
	}
	out := &rules.Pod{}
	if err := json.Unmarshal(data, out); err != nil {
		panic(err)
	}
	return out
}

// mutate applies n mutations chosen by c, from a pool of container- and pod-level changes that each matter
// to some rule, and a few that matter to none.
func mutate(c *choices, pod *rules.Pod, n int) {
	for range n {
		switch c.pick(9) {
		case 0:
			addContainer(c, pod)
		case 1:
			removeContainer(c, pod)
		case 2:
			renameContainer(c, pod)
		case 3:
			moveContainer(c, pod)
		case 4, 5:
			if ctr := someContainer(c, pod); ctr != nil {
				mutateContainer(c, ctr)
			}
		case 6:
			mutatePodSecurity(c, pod)
		case 7:
			mutateVolumes(c, pod)
		case 8:
			mutateAnnotations(c, pod)
		}
	}
}

// lists returns the pod's container lists in the order of the list constants; sidecars share
// initContainers with init containers.
func lists(pod *rules.Pod) []*[]rules.Container {
	return []*[]rules.Container{&pod.Spec.InitContainers, &pod.Spec.InitContainers, &pod.Spec.Containers, &pod.Spec.EphemeralContainers}
}

func hasContainer(pod *rules.Pod, name string) bool {
	for _, l := range lists(pod)[1:] {
		for _, ctr := range *l {
			if ctr.Name == name {
				return true
			}
		}
	}
	return false
}

func newContainer(c *choices, name string, list int) rules.Container {
	ctr := rules.Container{Name: name}
	if c.pick(2) == 0 {
		ctr = hardenedContainer(name)
	}
	if list == listSidecar {
		ctr.RestartPolicy = new(corev1.ContainerRestartPolicyAlways)
	}
	return ctr
}

func addContainer(c *choices, pod *rules.Pod) {
	name, list := oneOf(c, containerNames...), c.pick(listCount)
	if hasContainer(pod, name) {
		return
	}
	l := lists(pod)[list]
	*l = append(*l, newContainer(c, name, list))
}

// someContainer picks one of the pod's containers, or nil when it has none.
func someContainer(c *choices, pod *rules.Pod) *rules.Container {
	var all []*rules.Container
	for _, l := range lists(pod)[1:] {
		for i := range *l {
			all = append(all, &(*l)[i])
		}
	}
	if len(all) == 0 {
		return nil
	}
	return all[c.pick(len(all))]
}

func removeContainer(c *choices, pod *rules.Pod) {
	l := lists(pod)[1+c.pick(listCount-1)]
	if len(*l) == 0 {
		return
	}
	i := c.pick(len(*l))
	*l = append((*l)[:i:i], (*l)[i+1:]...)
}

func renameContainer(c *choices, pod *rules.Pod) {
	ctr, name := someContainer(c, pod), oneOf(c, containerNames...)
	if ctr != nil && !hasContainer(pod, name) {
		ctr.Name = name
	}
}

// moveContainer moves a container, settings and all, to another list, or makes an init container a
// sidecar and back.
func moveContainer(c *choices, pod *rules.Pod) {
	from := lists(pod)[1+c.pick(listCount-1)]
	if len(*from) == 0 {
		return
	}
	i := c.pick(len(*from))
	ctr := (*from)[i]
	*from = append((*from)[:i:i], (*from)[i+1:]...)
	to := c.pick(listCount)
	ctr.RestartPolicy = nil
	if to == listSidecar {
		ctr.RestartPolicy = new(corev1.ContainerRestartPolicyAlways)
	}
	l := lists(pod)[to]
	*l = append(*l, ctr)
}

func mutateContainer(c *choices, ctr *rules.Container) {
	if ctr.SecurityContext == nil {
		ctr.SecurityContext = &corev1.SecurityContext{}
	}
	sc := ctr.SecurityContext
	switch c.pick(16) {
	case 0:
		sc.RunAsUser = oneOf(c, nil, new(int64(0)), new(int64(1000)), new(int64(65532)))
	case 1:
		sc.RunAsNonRoot = oneOf(c, nil, new(true), new(false))
	case 2:
		sc.SeccompProfile = seccompChoice(c)
	case 3:
		sc.AppArmorProfile = appArmorChoice(c)
	case 4:
		sc.Privileged = oneOf(c, nil, new(true), new(false))
	case 5:
		sc.AllowPrivilegeEscalation = oneOf(c, nil, new(true), new(false))
	case 6:
		sc.WindowsOptions = oneOf(c, nil, &corev1.WindowsSecurityContextOptions{HostProcess: new(true)})
	case 7:
		if sc.Capabilities == nil {
			sc.Capabilities = &corev1.Capabilities{}
		}
		sc.Capabilities.Add = oneOf(c, nil, []corev1.Capability{"NET_ADMIN"}, []corev1.Capability{"SYS_ADMIN", "NET_ADMIN"}, []corev1.Capability{"CHOWN"}, []corev1.Capability{"NET_BIND_SERVICE"})
	case 8:
		if sc.Capabilities == nil {
			sc.Capabilities = &corev1.Capabilities{}
		}
		sc.Capabilities.Drop = oneOf(c, nil, []corev1.Capability{}, []corev1.Capability{"ALL"}, []corev1.Capability{"NET_RAW"}, []corev1.Capability{"NET_RAW", "CHOWN"})
	case 9:
		sc.ProcMount = oneOf(c, nil, new(corev1.UnmaskedProcMount), new(corev1.DefaultProcMount))
	case 10:
		sc.SELinuxOptions = seLinuxChoice(c)
	case 11:
		ctr.Ports = oneOf(c, nil, []rules.ContainerPort{{HostPort: 8080}}, []rules.ContainerPort{{HostPort: 8080, HostIP: "127.0.0.1"}},
			[]rules.ContainerPort{{HostPort: 22, Protocol: corev1.ProtocolUDP}}, []rules.ContainerPort{{HostPort: 8080}, {HostPort: 22}})
	case 12:
		ctr.LivenessProbe = oneOf(c, nil, &rules.Handler{HTTPGet: &rules.HostAction{}}, &rules.Handler{HTTPGet: &rules.HostAction{Host: "169.254.169.254"}},
			&rules.Handler{TCPSocket: &rules.HostAction{Host: "10.0.0.1"}})
	case 13:
		ctr.VolumeMounts = oneOf(c, nil, []rules.VolumeMount{{Name: "logs", ReadOnly: true}}, []rules.VolumeMount{{Name: "logs"}},
			[]rules.VolumeMount{{Name: "logs", ReadOnly: true, SubPath: "app"}}, []rules.VolumeMount{{Name: "share"}})
	case 14:
		ctr.SecurityContext = oneOf(c, nil, &corev1.SecurityContext{})
	case 15: // nothing a rule reads
		sc.ReadOnlyRootFilesystem = oneOf(c, nil, new(true))
	}
}

func seccompChoice(c *choices) *corev1.SeccompProfile {
	return oneOf(c, nil,
		&corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		&corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined},
		&corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost},
		&corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: new("audit.json")})
}

func appArmorChoice(c *choices) *corev1.AppArmorProfile {
	return oneOf(c, nil,
		&corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault},
		&corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined},
		&corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost},
		&corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: new("k8s-app")})
}

func seLinuxChoice(c *choices) *corev1.SELinuxOptions {
	return oneOf(c, nil, &corev1.SELinuxOptions{Type: "container_t"}, &corev1.SELinuxOptions{Type: "spc_t"},
		&corev1.SELinuxOptions{User: "system_u", Role: "system_r"}, &corev1.SELinuxOptions{Level: "s0:c1,c2"})
}

func mutatePodSecurity(c *choices, pod *rules.Pod) {
	if pod.Spec.SecurityContext == nil {
		pod.Spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	sc := pod.Spec.SecurityContext
	switch c.pick(15) {
	case 0:
		sc.RunAsUser = oneOf(c, nil, new(int64(0)), new(int64(1000)))
	case 1:
		sc.RunAsNonRoot = oneOf(c, nil, new(true), new(false))
	case 2:
		sc.SeccompProfile = seccompChoice(c)
	case 3:
		sc.AppArmorProfile = appArmorChoice(c)
	case 4:
		sc.WindowsOptions = oneOf(c, nil, &corev1.WindowsSecurityContextOptions{HostProcess: new(true)}, &corev1.WindowsSecurityContextOptions{HostProcess: new(false)})
	case 5:
		pod.Spec.HostNetwork = !pod.Spec.HostNetwork
	case 6:
		pod.Spec.HostPID = !pod.Spec.HostPID
	case 7:
		pod.Spec.HostIPC = !pod.Spec.HostIPC
	case 8:
		sc.Sysctls = oneOf(c, nil, []corev1.Sysctl{{Name: "net.ipv4.tcp_syncookies", Value: "1"}}, []corev1.Sysctl{{Name: "kernel.msgmax", Value: "65536"}},
			[]corev1.Sysctl{{Name: "kernel.msgmax", Value: "1"}}, []corev1.Sysctl{{Name: "net.ipv4.ip_forward", Value: "1"}})
	case 9:
		sc.SELinuxOptions = seLinuxChoice(c)
	case 10:
		pod.Spec.HostUsers = oneOf(c, nil, new(false), new(true))
	case 11:
		pod.Spec.OS = oneOf(c, nil, &corev1.PodOS{Name: corev1.Windows}, &corev1.PodOS{Name: corev1.Linux})
	case 12: // nothing a rule reads
		sc.FSGroup = oneOf(c, nil, new(int64(2000)))
	case 13:
		pod.Spec.SecurityContext = oneOf(c, nil, &corev1.PodSecurityContext{})
	case 14:
		sc.RunAsGroup = oneOf(c, nil, new(int64(0)))
	}
}

func mutateVolumes(c *choices, pod *rules.Pod) {
	volume := oneOf(c,
		rules.Volume{Name: "logs", HostPath: &rules.HostPath{Path: "/var/log/app"}},
		rules.Volume{Name: "logs", HostPath: &rules.HostPath{Path: "/"}},
		rules.Volume{Name: "logs", HostPath: &rules.HostPath{Path: "/var/log/app", Type: new(corev1.HostPathDirectory)}},
		rules.Volume{Name: "logs", EmptyDir: &rules.Present{}},
		rules.Volume{Name: "share", NFS: &rules.Present{}},
		rules.Volume{Name: "share", Secret: &rules.Present{}},
	)
	kept := pod.Spec.Volumes[:0:0]
	for _, v := range pod.Spec.Volumes {
		if v.Name != volume.Name {
			kept = append(kept, v)
		}
	}
	if c.pick(4) > 0 {
		kept = append(kept, volume)
	}
	pod.Spec.Volumes = kept
}

func mutateAnnotations(c *choices, pod *rules.Pod) {
	key := oneOf(c, "team", rules.AppArmorAnnotationPrefix+oneOf(c, containerNames...),
		rules.SeccompPodAnnotation, rules.SeccompContainerAnnotationPrefix+oneOf(c, containerNames...))
	value := oneOf(c, "", "runtime/default", "unconfined", "localhost/k8s-app", "payments")
	annotations := map[string]string{}
	for k, v := range pod.Annotations {
		annotations[k] = v
	}
	if value == "" {
		delete(annotations, key)
	} else {
		annotations[key] = value
	}
	pod.Annotations = annotations
}
