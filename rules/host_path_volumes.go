package rules

import "fmt"

/*
host-path-volumes rejects hostPath volumes: a directory of the node mounted into a pod exposes the node's
files (credentials, the container runtime's socket, other pods' data) and lets a pod write where the node
trusts what it reads.

Fields read:
  spec.volumes[*].hostPath (its path and type)
  spec.{initContainers,containers,ephemeralContainers}[*].volumeMounts[*] (which containers mount it, how)
Passing values: unset. The path and the mounts do not change the verdict; they say what the volume opens,
so that ratcheting an update tells a wider or writable hostPath from a narrower, read-only one.
*/

const hostPathVolumesID = "host-path-volumes"

func hostPathVolumes() Rule {
	return Rule{
		ID:       hostPathVolumesID,
		Doc:      "Rejects hostPath volumes, which mount a directory of the node into the pod.",
		CheckPod: checkHostPathVolumes,
		Profiles: []Profile{Baseline, Restricted},
	}
}

func checkHostPathVolumes(pod *Pod, _ *Options) []Violation {
	var out []Violation
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if v.HostPath == nil {
			continue
		}
		out = append(out, Violation{
			Rule:     hostPathVolumesID,
			Field:    pod.specPath().Child("volumes").Index(i).Child("hostPath").String(),
			Problem:  fmt.Sprintf("is set (volume %q mounts a directory of the node)", v.Name),
			Fix:      "use an emptyDir, configMap, secret or persistentVolumeClaim volume instead",
			Identity: pod.volumeIdentity(v, "hostPath"),
		})
	}
	return out
}
