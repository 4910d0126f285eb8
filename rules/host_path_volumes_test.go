package rules

import "testing"

func TestHostPathVolumes(t *testing.T) {
	runPodCases(t, "host-path-volumes", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "other volumes",
			pod: podWith(func(p *Pod) {
				p.Spec.Volumes = []Volume{{Name: "cache", EmptyDir: &Present{}}, {Name: "nfs", NFS: &Present{}}}
			}),
		},
		{
			name: "hostPath volume among others, in a cronjob",
			pod: podWith(tweaks(inCronJob, func(p *Pod) {
				p.Spec.Volumes = []Volume{{Name: "cache", EmptyDir: &Present{}}, {Name: "docker", HostPath: &HostPath{Path: "/var/run"}}}
			})),
			want: []Violation{violation("host-path-volumes", "spec.jobTemplate.spec.template.spec.volumes[1].hostPath", "")},
		},
	})
}
