package rules

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Pod is what the pod rules read of a Pod or of a workload's pod template. It holds only the fields the
// rules judge: the webhook decodes a request straight into it and skips everything else, and two Pods that
// compare equal cannot differ in any verdict.
type Pod struct {
	// Path locates the pod template in its object (spec.template for a Deployment,
	// spec.jobTemplate.spec.template for a CronJob); nil for a Pod, whose fields sit at the root.
	Path *field.Path
	// Annotations are the pod's (or template's) annotations that the rules read (see ReadsAnnotation): the
	// legacy AppArmor annotations and the seccomp alpha annotations live there.
	Annotations map[string]string
	Spec        PodSpec
}

// PodSpec mirrors the parts of corev1.PodSpec the rules read; the JSON names are the API's.
type PodSpec struct {
	OS                  *corev1.PodOS              `json:"os,omitempty"`
	HostUsers           *bool                      `json:"hostUsers,omitempty"`
	HostNetwork         bool                       `json:"hostNetwork,omitempty"`
	HostPID             bool                       `json:"hostPID,omitempty"`
	HostIPC             bool                       `json:"hostIPC,omitempty"`
	SecurityContext     *corev1.PodSecurityContext `json:"securityContext,omitempty"`
	Volumes             []Volume                   `json:"volumes,omitempty"`
	InitContainers      []Container                `json:"initContainers,omitempty"`
	Containers          []Container                `json:"containers,omitempty"`
	EphemeralContainers []Container                `json:"ephemeralContainers,omitempty"`
}

// Container mirrors the parts of corev1.Container (and corev1.EphemeralContainer) the rules read.
type Container struct {
	Name string `json:"name"`
	// RestartPolicy makes an init container with Always a sidecar: a container that runs for the pod's whole
	// life, told apart from a one-off init container when updates are ratcheted.
	RestartPolicy   *corev1.ContainerRestartPolicy `json:"restartPolicy,omitempty"`
	SecurityContext *corev1.SecurityContext        `json:"securityContext,omitempty"`
	Ports           []ContainerPort                `json:"ports,omitempty"`
	LivenessProbe   *Handler                       `json:"livenessProbe,omitempty"`
	ReadinessProbe  *Handler                       `json:"readinessProbe,omitempty"`
	StartupProbe    *Handler                       `json:"startupProbe,omitempty"`
	Lifecycle       *Lifecycle                     `json:"lifecycle,omitempty"`
	// VolumeMounts say which containers a refused volume reaches, and how.
	VolumeMounts []VolumeMount `json:"volumeMounts,omitempty"`
}

// VolumeMount mirrors the parts of corev1.VolumeMount that say what of a volume a container reaches and
// whether it may write there.
type VolumeMount struct {
	Name             string                       `json:"name"`
	ReadOnly         bool                         `json:"readOnly,omitempty"`
	SubPath          string                       `json:"subPath,omitempty"`
	SubPathExpr      string                       `json:"subPathExpr,omitempty"`
	MountPropagation *corev1.MountPropagationMode `json:"mountPropagation,omitempty"`
}

// ContainerPort mirrors the parts of corev1.ContainerPort that say what a hostPort opens on the node.
type ContainerPort struct {
	HostPort int32           `json:"hostPort,omitempty"`
	HostIP   string          `json:"hostIP,omitempty"`
	Protocol corev1.Protocol `json:"protocol,omitempty"`
}

// Handler mirrors the parts of a corev1.Probe or corev1.LifecycleHandler the rules read: the actions that
// name a host to connect to.
type Handler struct {
	HTTPGet   *HostAction `json:"httpGet,omitempty"`
	TCPSocket *HostAction `json:"tcpSocket,omitempty"`
}

// HostAction is the host an httpGet or tcpSocket action connects to; empty means the pod's own IP.
type HostAction struct {
	Host string `json:"host,omitempty"`
}

// Lifecycle mirrors corev1.Lifecycle's handlers.
type Lifecycle struct {
	PostStart *Handler `json:"postStart,omitempty"`
	PreStop   *Handler `json:"preStop,omitempty"`
}

// isWindows reports whether the pod declares a Windows OS; Linux-only rules do not judge such pods, as the
// Pod Security Standards do not.
func (p *Pod) isWindows() bool {
	return p.Spec.OS != nil && p.Spec.OS.Name == corev1.Windows
}

// inUserNamespace reports whether the pod runs in its own user namespace, where UID 0 in the container is
// not root on the node; the Pod Security Standards relax the root checks for such pods.
func (p *Pod) inUserNamespace() bool {
	return p.Spec.HostUsers != nil && !*p.Spec.HostUsers
}

// ReadsAnnotation reports whether a pod rule reads the annotation: the legacy per-container AppArmor
// annotations, and the seccomp alpha annotations that the Pod Security Standards judged before v1.19.
// Decoding keeps only these, and an update that changes only others changes nothing the rules read.
func ReadsAnnotation(key string) bool {
	return strings.HasPrefix(key, AppArmorAnnotationPrefix) || IsSeccompAnnotation(key)
}

// IsSeccompAnnotation reports whether key is one of the seccomp alpha annotations.
func IsSeccompAnnotation(key string) bool {
	return key == SeccompPodAnnotation || strings.HasPrefix(key, SeccompContainerAnnotationPrefix)
}

// windowsExempt reports whether a Linux-only check leaves a Windows pod alone at the options' Pod Security
// version: the Pod Security Standards read spec.os from v1.25; before, Windows pods were judged as any other.
func (p *Pod) windowsExempt(opts *Options) bool {
	return p.isWindows() && opts.PodSecurityVersion.AtLeast(25)
}

// rootRelaxed reports whether the root checks leave a pod in its own user namespace alone at the options'
// Pod Security version: the Pod Security Standards relax them from v1.35 (before, only behind an alpha
// feature gate that kubeguard does not follow).
func (p *Pod) rootRelaxed(opts *Options) bool {
	return p.inUserNamespace() && opts.PodSecurityVersion.AtLeast(35)
}

// specPath is the path of the pod spec from the object's root.
func (p *Pod) specPath() *field.Path {
	if p.Path == nil {
		return field.NewPath("spec")
	}
	return p.Path.Child("spec")
}

// annotationPath is the path of one of the pod's annotations from the object's root.
func (p *Pod) annotationPath(key string) *field.Path {
	if p.Path == nil {
		return field.NewPath("metadata", "annotations").Key(key)
	}
	return p.Path.Child("metadata", "annotations").Key(key)
}
