package rules

// Present stands for an API field that the rules judge only by whether it is set; its contents are skipped
// when decoding, so a volume costs little more to read than its name.
type Present struct{}

// Volume mirrors a corev1.Volume as far as the rules read it: its name and which source it uses. Every
// source of the API is listed.
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
	HostPath             *Present `json:"hostPath,omitempty"`
	GCEPersistentDisk    *Present `json:"gcePersistentDisk,omitempty"`
	AWSElasticBlockStore *Present `json:"awsElasticBlockStore,omitempty"`
	GitRepo              *Present `json:"gitRepo,omitempty"`
	NFS                  *Present `json:"nfs,omitempty"`
	ISCSI                *Present `json:"iscsi,omitempty"`
	Glusterfs            *Present `json:"glusterfs,omitempty"`
	RBD                  *Present `json:"rbd,omitempty"`
	FlexVolume           *Present `json:"flexVolume,omitempty"`
	Cinder               *Present `json:"cinder,omitempty"`
	CephFS               *Present `json:"cephfs,omitempty"`
	Flocker              *Present `json:"flocker,omitempty"`
	FC                   *Present `json:"fc,omitempty"`
	AzureFile            *Present `json:"azureFile,omitempty"`
	VsphereVolume        *Present `json:"vsphereVolume,omitempty"`
	Quobyte              *Present `json:"quobyte,omitempty"`
	AzureDisk            *Present `json:"azureDisk,omitempty"`
	PhotonPersistentDisk *Present `json:"photonPersistentDisk,omitempty"`
	PortworxVolume       *Present `json:"portworxVolume,omitempty"`
	ScaleIO              *Present `json:"scaleIO,omitempty"`
	StorageOS            *Present `json:"storageos,omitempty"`
}

// allowedSource reports whether the volume uses a source the Pod Security restricted level allows: one that
// holds only data the cluster manages for the pod, or storage provisioned through a claim or a CSI driver.
func (v *Volume) allowedSource() bool {
	return v.ConfigMap != nil || v.CSI != nil || v.DownwardAPI != nil || v.EmptyDir != nil || v.Ephemeral != nil ||
		v.Image != nil || v.PersistentVolumeClaim != nil || v.Projected != nil || v.Secret != nil
}

// refusedSource names the refused source the volume uses as the API spells it, or "" when it uses none.
func (v *Volume) refusedSource() string {
	sources := [...]struct {
		set  *Present
		name string
	}{
		{v.HostPath, "hostPath"}, {v.GCEPersistentDisk, "gcePersistentDisk"},
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
