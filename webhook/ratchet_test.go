package webhook_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

// Updates an attacker who may only update a legacy Deployment would try, to make a change that widens
// access pass as one the Deployment already had. Each goes through the handler `kubeguard serve` registers
// and must be denied for the rule and field it adds.
func TestRatchetRefusesWhatAnUpdateAdds(t *testing.T) {
	const spec = "spec.template.spec"
	hardened := func(name string) corev1.Container {
		return corev1.Container{Name: name, Image: "example.com/" + name + ":1.0", SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}}
	}
	withEvil := func(s corev1.PodSpec) corev1.PodSpec {
		s.Containers = append(s.Containers, hardened("evil"))
		return s
	}
	podRoot := func() corev1.PodSpec {
		s := compliantSpec()
		s.SecurityContext.RunAsUser = new(int64(0))
		return s
	}
	hostProcess := func() corev1.PodSpec {
		s := compliantSpec()
		s.OS = &corev1.PodOS{Name: corev1.Windows}
		s.HostNetwork = true
		s.SecurityContext = &corev1.PodSecurityContext{
			RunAsNonRoot:   new(true),
			WindowsOptions: &corev1.WindowsSecurityContextOptions{HostProcess: new(true)},
		}
		return s
	}
	hostNetwork := func() corev1.PodSpec {
		s := compliantSpec()
		s.HostNetwork = true
		return s
	}
	six := func() corev1.PodSpec {
		s := podRoot()
		s.Containers = nil
		for i := 1; i <= 6; i++ {
			s.Containers = append(s.Containers, hardened(fmt.Sprintf("c%d", i)))
		}
		return s
	}
	sixthReplaced := func() corev1.PodSpec {
		s := six()
		s.Containers[5] = hardened("evil")
		return s
	}
	// Only the init container setup inherits the pod's root: web runs as a user of its own.
	rootSetup := func() corev1.PodSpec {
		s := podRoot()
		s.Containers[0].SecurityContext.RunAsUser = new(int64(1000))
		s.InitContainers = []corev1.Container{hardened("setup")}
		return s
	}
	setupRegular := func() corev1.PodSpec {
		s := rootSetup()
		setup := s.InitContainers[0]
		setup.Image = "example.com/shell:1.0"
		s.InitContainers, s.Containers = nil, append(s.Containers, setup)
		return s
	}
	setupSidecar := func() corev1.PodSpec {
		s := rootSetup()
		s.InitContainers[0].Image = "example.com/shell:1.0"
		s.InitContainers[0].RestartPolicy = new(corev1.ContainerRestartPolicyAlways)
		return s
	}
	// Nothing sets an AppArmor or seccomp profile: the runtime's defaults apply.
	noProfiles := func() corev1.PodSpec {
		s := compliantSpec()
		s.SecurityContext.AppArmorProfile, s.SecurityContext.SeccompProfile = nil, nil
		return s
	}
	unconfined := func(podLevel, appArmor bool) corev1.PodSpec {
		s := noProfiles()
		switch {
		case podLevel && appArmor:
			s.SecurityContext.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
		case podLevel:
			s.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
		case appArmor:
			s.Containers[0].SecurityContext.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
		default:
			s.Containers[0].SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
		}
		return s
	}
	// The pod runs as root, except the sidecar, which runs as UID 1000; then the sidecar too runs as root.
	sidecarUser := func(uid int64) corev1.PodSpec {
		s := podRoot()
		sidecar := hardened("sidecar")
		sidecar.SecurityContext.RunAsUser = new(uid)
		s.Containers = append(s.Containers, sidecar)
		return s
	}
	hostPath := func(path string, readOnly bool) corev1.PodSpec {
		s := compliantSpec()
		s.Volumes = []corev1.Volume{{Name: "logs", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: path}}}}
		s.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "logs", MountPath: "/logs", ReadOnly: readOnly}}
		return s
	}

	tests := []struct {
		name     string
		config   string
		old, new corev1.PodSpec
		// cause is the one field denied; its line is in the answer's golden file.
		cause string
	}{
		{
			name: "a new container inherits the pod's runAsUser 0",
			old:  podRoot(), new: withEvil(podRoot()),
			cause: spec + ".securityContext.runAsUser",
		},
		{
			name: "a new container inherits the pod's Windows hostProcess",
			old:  hostProcess(), new: withEvil(hostProcess()),
			cause: spec + ".securityContext.windowsOptions.hostProcess",
		},
		{
			name:   "a new container shares the node's network (baseline)",
			config: "profile: baseline\n",
			old:    hostNetwork(), new: withEvil(hostNetwork()),
			cause: spec + ".hostNetwork",
		},
		{
			name: "the sixth of six root containers replaced: the message reads the same",
			old:  six(), new: sixthReplaced(),
			cause: spec + ".securityContext.runAsUser",
		},
		{
			name: "the init container that ran as root becomes a regular container",
			old:  rootSetup(), new: setupRegular(),
			cause: spec + ".securityContext.runAsUser",
		},
		{
			name: "the init container that ran as root becomes a sidecar",
			old:  rootSetup(), new: setupSidecar(),
			cause: spec + ".securityContext.runAsUser",
		},
		{
			name: "AppArmor unset made Unconfined in the container",
			old:  noProfiles(), new: unconfined(false, true),
			cause: spec + ".containers[0].securityContext.appArmorProfile",
		},
		{
			name: "AppArmor unset made Unconfined for the pod",
			old:  noProfiles(), new: unconfined(true, true),
			cause: spec + ".securityContext.appArmorProfile",
		},
		{
			name: "seccomp unset made Unconfined in the container",
			old:  noProfiles(), new: unconfined(false, false),
			cause: spec + ".containers[0].securityContext.seccompProfile",
		},
		{
			name: "seccomp unset made Unconfined for the pod",
			old:  noProfiles(), new: unconfined(true, false),
			cause: spec + ".securityContext.seccompProfile",
		},
		{
			name: "a non-root UID made 0 beside a container that already runs as root",
			old:  sidecarUser(1000), new: sidecarUser(0),
			cause: spec + ".containers[1].securityContext.runAsUser",
		},
		{
			name:   "a read-only hostPath /var/log/app made a writable / (baseline)",
			config: "profile: baseline\n",
			old:    hostPath("/var/log/app", true), new: hostPath("/", false),
			cause: spec + ".volumes[0].hostPath",
		},
		{
			name:   "a read-only hostPath made writable (baseline)",
			config: "profile: baseline\n",
			old:    hostPath("/var/log/app", true), new: hostPath("/var/log/app", false),
			cause: spec + ".volumes[0].hostPath",
		},
		{
			name:   "a hostPath made wider (baseline)",
			config: "profile: baseline\n",
			old:    hostPath("/var/log/app", true), new: hostPath("/", true),
			cause: spec + ".volumes[0].hostPath",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.config))
			require.NoError(t, err)
			mux := webhook.NewServer(webhook.ServerOptions{Policy: p}).WebhookMux()
			req := review(t, admissionv1.Update, newDeployment("web", tt.new), newDeployment("web", tt.old))
			_, answer := post(t, mux, webhook.ValidatePath, "application/json", reviewBody(t, req))
			require.NotNil(t, answer.Response)
			got := answer.Response
			assert.Equal(t, req.UID, got.UID)
			require.False(t, got.Allowed, "the update is allowed")
			require.NotNil(t, got.Result)
			assert.Equal(t, int32(http.StatusForbidden), got.Result.Code)
			assertGoldenAnswer(t, goldenAnswerPath(t), got)
			require.NotNil(t, got.Result.Details)
			var causes []string
			for _, c := range got.Result.Details.Causes {
				causes = append(causes, c.Field)
			}
			assert.Equal(t, []string{tt.cause}, causes, "the one field the update adds")
			assert.Empty(t, got.Warnings, "a denial carries no warnings")
		})
	}
}

// The same changes the other way round fix or narrow what the Deployment had, and are allowed: ratcheting
// still lets a team harden a legacy workload one step at a time.
func TestRatchetAllowsWhatAnUpdateNarrows(t *testing.T) {
	podRoot := func(names ...string) corev1.PodSpec {
		s := compliantSpec()
		s.SecurityContext.RunAsUser = new(int64(0))
		s.Containers = nil
		for _, n := range names {
			s.Containers = append(s.Containers, corev1.Container{Name: n, Image: "example.com/" + n + ":1.0", SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}})
		}
		return s
	}
	fixedOne := podRoot("web", "sidecar")
	fixedOne.Containers[0].SecurityContext.RunAsUser = new(int64(1000))
	movedDown := podRoot("web")
	movedDown.SecurityContext.RunAsUser = nil
	movedDown.Containers[0].SecurityContext.RunAsUser = new(int64(0))
	hostPath := func(path string, readOnly bool) corev1.PodSpec {
		s := compliantSpec()
		s.Volumes = []corev1.Volume{{Name: "logs", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: path}}}}
		s.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "logs", MountPath: "/logs", ReadOnly: readOnly}}
		return s
	}
	tests := []struct {
		name     string
		config   string
		old, new corev1.PodSpec
	}{
		{name: "a container removed", old: podRoot("web", "sidecar"), new: podRoot("web")},
		{name: "one container of two fixed", old: podRoot("web", "sidecar"), new: fixedOne},
		{name: "the pod's root moved to its one container", old: podRoot("web"), new: movedDown},
		{name: "containers reordered", old: podRoot("web", "sidecar"), new: podRoot("sidecar", "web")},
		{name: "a writable hostPath made read-only", config: "profile: baseline\n", old: hostPath("/var/log/app", false), new: hostPath("/var/log/app", true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.config))
			require.NoError(t, err)
			mux := webhook.NewServer(webhook.ServerOptions{Policy: p}).WebhookMux()
			req := review(t, admissionv1.Update, newDeployment("web", tt.new), newDeployment("web", tt.old))
			_, answer := post(t, mux, webhook.ValidatePath, "application/json", reviewBody(t, req))
			require.NotNil(t, answer.Response)
			assert.True(t, answer.Response.Allowed, "%v", answer.Response.Result)
			assert.NotEmpty(t, answer.Response.Warnings, "what is left is warned about as existing")
			for _, w := range answer.Response.Warnings {
				assert.True(t, strings.HasPrefix(w, judgement.ExistingPrefix), w)
			}
		})
	}
}
