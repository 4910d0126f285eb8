package rules

import "fmt"

/*
volume-types allows only volume sources that hold data the cluster manages for the pod, or storage that a
claim or a CSI driver provisions: every other inline source (hostPath, nfs, iscsi, rbd, cloud disks named
by ID, ...) has the node mount storage the pod names directly, with the node's credentials and outside the
cluster's storage policies.

Fields read:
  spec.volumes[*] (which source each volume uses; for hostPath, its path and type)
  spec.{initContainers,containers,ephemeralContainers}[*].volumeMounts[*] (which containers mount it, how)
Passing values: configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected,
secret. A volume that sets none of the sources kubeguard's API libraries know is taken for the emptyDir the
API server makes of a volume without a source; a source added to Kubernetes after those libraries is not
recognised and passes.
*/

const volumeTypesID = "volume-types"

func volumeTypes() Rule {
	return Rule{
		ID:       volumeTypesID,
		Doc:      "Allows only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes.",
		CheckPod: checkVolumeTypes,
		Profiles: []Profile{Restricted},
	}
}

func checkVolumeTypes(pod *Pod, _ *Options) []Violation {
	var out []Violation
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if v.allowedSource() {
			continue
		}
		source := v.refusedSource()
		if source == "" {
			continue
		}
		out = append(out, Violation{
			Rule:     volumeTypesID,
			Field:    pod.specPath().Child("volumes").Index(i).Child(source).String(),
			Problem:  fmt.Sprintf("is not an allowed volume source (volume %q)", v.Name),
			Fix:      "use a persistentVolumeClaim, csi or ephemeral volume for storage, or configMap, secret, projected, downwardAPI, emptyDir or image",
			Identity: pod.volumeIdentity(v, source),
		})
	}
	return out
}
