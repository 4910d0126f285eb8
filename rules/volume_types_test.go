package rules

import "testing"

func TestVolumeTypes(t *testing.T) {
	runPodCases(t, "volume-types", []podCase{
		{name: "compliant pod", pod: compliantPod()},
		{
			name: "every allowed source, and a volume without one (the API makes it an emptyDir)",
			pod: podWith(func(p *Pod) {
				p.Spec.Volumes = []Volume{
					{Name: "a", ConfigMap: &Present{}}, {Name: "b", CSI: &Present{}}, {Name: "c", DownwardAPI: &Present{}},
					{Name: "d", EmptyDir: &Present{}}, {Name: "e", Ephemeral: &Present{}}, {Name: "f", Image: &Present{}},
					{Name: "g", PersistentVolumeClaim: &Present{}}, {Name: "h", Projected: &Present{}}, {Name: "i", Secret: &Present{}},
					{Name: "j"},
				}
			}),
		},
		{
			name: "refused sources",
			pod: podWith(tweaks(inDeployment, func(p *Pod) {
				p.Spec.Volumes = []Volume{{Name: "ok", Secret: &Present{}}, {Name: "node", HostPath: &HostPath{Path: "/var/run"}}, {Name: "share", NFS: &Present{}}}
			})),
			want: []Violation{
				violation("volume-types", "spec.template.spec.volumes[1].hostPath", ""),
				violation("volume-types", "spec.template.spec.volumes[2].nfs", ""),
			},
		},
	})
}
