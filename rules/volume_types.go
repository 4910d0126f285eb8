package rules

import "fmt"

/*
volume-types allows only volume sources that hold data the cluster manages for the pod, or storage that a
claim or a CSI driver provisions: every other inline source (hostPath, nfs, iscsi, rbd, cloud disks named
by ID, ...) has the node mount storage the pod names directly, with the node's credentials and outside the
cluster's storage policies.

Fields read:
  spec.volumes[*] (which source each volume uses)
Passing values: configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected,
secret.
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
		path := pod.specPath().Child("volumes").Index(i)
		problem := fmt.Sprintf("is not an allowed volume source (volume %q)", v.Name)
		if source := v.refusedSource(); source != "" {
			path = path.Child(source)
		} else {
			problem = fmt.Sprintf("uses a volume source kubeguard does not know (volume %q)", v.Name)
		}
		out = append(out, Violation{
			Rule:    volumeTypesID,
			Field:   path.String(),
			Problem: problem,
			Fix:     "use a persistentVolumeClaim, csi or ephemeral volume for storage, or configMap, secret, projected, downwardAPI, emptyDir or image",
		})
	}
	return out
}
