package rules

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Present stands for an API field that the rules judge only by whether it is set; its contents are skipped
// when decoding, so a volume costs little more to read than its name.
type Present struct{}

// Volume mirrors a corev1.Volume as far as the rules read it: its name, which source it uses, and for a
// hostPath which directory of the node. Every source of the API is listed.
type Volume struct {
	Name string `json:"name"`

	// The sources the Pod Security restricted level allows.
	ConfigMap             *Present `json:"configMap,omitempty"`
	CSI                   *Present `json:"csi,omitempty"`
	DownwardAPI           *Present `json:"downwardAPI,omitempty"`
	EmptyDir              *Present `json:"emptyDir,omitempty"`
	Ephemeral             *Present `json:"ephemeral,omitempty"`
	Image                 *Present `json:"image,omitempty"`
	PersistentVolumeClaim *Present `json:"persistentVolumeClaim,omitempty"`
	Projected             *Present `json:"projected,omitempty"`
	Secret                *Present `json:"secret,omitempty"`

	// The sources it refuses: the node's filesystem, and storage mounted by the node on the pod's behalf.
	HostPath             *HostPath `json:"hostPath,omitempty"`
	GCEPersistentDisk    *Present  `json:"gcePersistentDisk,omitempty"`
	AWSElasticBlockStore *Present  `json:"awsElasticBlockStore,omitempty"`
	GitRepo              *Present  `json:"gitRepo,omitempty"`
	NFS                  *Present  `json:"nfs,omitempty"`
	ISCSI                *Present  `json:"iscsi,omitempty"`
	Glusterfs            *Present  `json:"glusterfs,omitempty"`
	RBD                  *Present  `json:"rbd,omitempty"`
	FlexVolume           *Present  `json:"flexVolume,omitempty"`
	Cinder               *Present  `json:"cinder,omitempty"`
	CephFS               *Present  `json:"cephfs,omitempty"`
	Flocker              *Present  `json:"flocker,omitempty"`
	FC                   *Present  `json:"fc,omitempty"`
	AzureFile            *Present  `json:"azureFile,omitempty"`
	VsphereVolume        *Present  `json:"vsphereVolume,omitempty"`
	Quobyte              *Present  `json:"quobyte,omitempty"`
	AzureDisk            *Present  `json:"azureDisk,omitempty"`
	PhotonPersistentDisk *Present  `json:"photonPersistentDisk,omitempty"`
	PortworxVolume       *Present  `json:"portworxVolume,omitempty"`
	ScaleIO              *Present  `json:"scaleIO,omitempty"`
	StorageOS            *Present  `json:"storageos,omitempty"`
}

// HostPath mirrors corev1.HostPathVolumeSource: which file or directory of the node a volume mounts.
type HostPath struct {
	Path string               `json:"path"`
	Type *corev1.HostPathType `json:"type,omitempty"`
}

// allowedSource reports whether the volume uses a source the Pod Security restricted level allows: one that
// holds only data the cluster manages for the pod, or storage provisioned through a claim or a CSI driver.
func (v *Volume) allowedSource() bool {
	return v.ConfigMap != nil || v.CSI != nil || v.DownwardAPI != nil || v.EmptyDir != nil || v.Ephemeral != nil ||
		v.Image != nil || v.PersistentVolumeClaim != nil || v.Projected != nil || v.Secret != nil
}

// refusedSource names the refused source the volume uses as the API spells it, or "" when it uses none.
func (v *Volume) refusedSource() string {
	if v.HostPath != nil {
		return "hostPath"
	}
	sources := [...]struct {
		set  *Present
		name string
	}{
		{v.GCEPersistentDisk, "gcePersistentDisk"},
		{v.AWSElasticBlockStore, "awsElasticBlockStore"}, {v.GitRepo, "gitRepo"}, {v.NFS, "nfs"},
		{v.ISCSI, "iscsi"}, {v.Glusterfs, "glusterfs"}, {v.RBD, "rbd"}, {v.FlexVolume, "flexVolume"},
		{v.Cinder, "cinder"}, {v.CephFS, "cephfs"}, {v.Flocker, "flocker"}, {v.FC, "fc"},
		{v.AzureFile, "azureFile"}, {v.VsphereVolume, "vsphereVolume"}, {v.Quobyte, "quobyte"},
		{v.AzureDisk, "azureDisk"}, {v.PhotonPersistentDisk, "photonPersistentDisk"},
		{v.PortworxVolume, "portworxVolume"}, {v.ScaleIO, "scaleIO"}, {v.StorageOS, "storageos"},
	}
	for _, s := range sources {
		if s.set != nil {
			return s.name
		}
	}
	return ""
}

// volumeIdentity is the identity of a refused volume: for every container that mounts it, what of the node
// each mount reaches, and whether the container may write there or propagate mounts to the node, each a
// value of its own. A wider directory, a writable mount of a read-only one, or a new container that mounts
// the volume is then something the old pod did not have, while making a mount read-only is not. A volume
// no container mounts reaches none, and its value is the source alone.
func (p *Pod) volumeIdentity(v *Volume, source string) Identity {
	if v.HostPath != nil {
		source += " " + strconv.Quote(v.HostPath.Path)
		if v.HostPath.Type != nil && *v.HostPath.Type != "" {
			source += " of type " + string(*v.HostPath.Type)
		}
	}
	var reaches []Reach
	p.forEachContainer(func(ref containerRef) {
		for i := range ref.c.VolumeMounts {
			m := &ref.c.VolumeMounts[i]
			if m.Name != v.Name {
				continue
			}
			mounted := source + m.subPath()
			reaches = append(reaches, Reach{Container: ref.id(), Value: mounted + " readable"})
			if !m.ReadOnly {
				reaches = append(reaches, Reach{Container: ref.id(), Value: mounted + " writable"})
			}
			if m.MountPropagation != nil && *m.MountPropagation != corev1.MountPropagationNone {
				reaches = append(reaches, Reach{Container: ref.id(), Value: mounted + " with " + string(*m.MountPropagation) + " propagation"})
			}
		}
	})
	if reaches == nil {
		reaches = []Reach{{Value: source + " not mounted"}}
	}
	return Identity{Reaches: reaches}
}

// subPath says which part of its volume a mount reaches, "" for all of it.
func (m *VolumeMount) subPath() string {
	var b strings.Builder
	if m.SubPath != "" {
		b.WriteString(" at subPath " + strconv.Quote(m.SubPath))
	}
	if m.SubPathExpr != "" {
		b.WriteString(" at subPathExpr " + strconv.Quote(m.SubPathExpr))
	}
	return b.String()
}
