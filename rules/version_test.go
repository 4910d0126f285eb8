package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

func TestParseVersion(t *testing.T) {
	for _, tt := range []struct {
		in    string
		minor int
		text  string
	}{
		{in: "latest", minor: LatestMinor, text: "latest"},
		{in: "v1.0", minor: 0, text: "v1.0"},
		{in: "v1.24", minor: 24, text: "v1.24"},
		{in: "v1.37", minor: 37, text: "v1.37"},
	} {
		v, err := ParseVersion(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.minor, v.Minor(), tt.in)
		assert.Equal(t, tt.text, v.String(), tt.in)
	}
	assert.Equal(t, Latest, Version{}, "the zero Version is latest")
	assert.Equal(t, "latest (v1.37)", Latest.Describe())

	for _, bad := range []string{"", "Latest", "v1", "1.30", "v1.30.1", "v1.030", "v01.3", "v2.0", "v1.-1", "v1.38", "v1.99", "v1.1000", " v1.2", "v1.2\n", "garbage"} {
		_, err := ParseVersion(bad)
		assert.Error(t, err, "%q", bad)
	}
}

// A Pod Security level turns on a rule only from the version that added its check; the AKS profile's
// membership does not follow the version.
func TestProfileMembersAtVersion(t *testing.T) {
	at := func(minor int) Version { return Version{pinned: true, minor: minor} }
	members := func(p Profile, v Version) []string {
		var ids []string
		for _, r := range All() {
			if r.On(p, v) {
				ids = append(ids, r.ID)
			}
		}
		return ids
	}
	assert.Equal(t, members(Restricted, Latest), members(Restricted, at(34)))
	assert.NotContains(t, members(Restricted, at(33)), "probe-host")
	assert.NotContains(t, members(Baseline, at(33)), "probe-host")
	assert.Contains(t, members(Restricted, at(22)), "minimal-capabilities")
	assert.NotContains(t, members(Restricted, at(21)), "minimal-capabilities")
	assert.Contains(t, members(Restricted, at(8)), "privilege-escalation")
	assert.NotContains(t, members(Restricted, at(7)), "privilege-escalation")
	assert.Equal(t, members(AKS, Latest), members(AKS, at(0)))
}

// Each setting whose meaning a level changed over releases takes the version's default.
func TestOptionsAtVersion(t *testing.T) {
	at := func(minor int) Version { return Version{pinned: true, minor: minor} }
	assert.True(t, OptionsFor(Restricted, at(19)).RequireSeccompProfile)
	assert.False(t, OptionsFor(Restricted, at(18)).RequireSeccompProfile, "restricted asked for no seccomp profile before v1.19")
	assert.True(t, OptionsFor(Baseline, at(35)).ProcMountInUserNamespace)
	assert.False(t, OptionsFor(Baseline, at(34)).ProcMountInUserNamespace, "baseline kept /proc masked in user namespaces before v1.35")
	assert.True(t, OptionsFor(AKS, at(0)).RequireSeccompProfile, "the AKS profile's settings do not follow the version")
	assert.Equal(t, at(30), OptionsFor(Baseline, at(30)).PodSecurityVersion)
}

// The checks that changed between releases judge as the configured version did, one change per case: the
// rules a profile turns on at that version are run with its options, and the IDs of the rules that object
// are compared.
func TestRulesAtVersion(t *testing.T) {
	at := func(minor int) Version { return Version{pinned: true, minor: minor} }
	sysctl := func(name string) func(p *Pod) {
		return func(p *Pod) { podSC(p).Sysctls = []corev1.Sysctl{{Name: name, Value: "1"}} }
	}
	windows := func(p *Pod) {
		p.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
		p.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: new(true)}
		p.Spec.Containers[0].SecurityContext = nil
	}
	userNamespace := func(p *Pod) {
		p.Spec.HostUsers = new(false)
		podSC(p).RunAsNonRoot = nil
		containerSC(p, 0).RunAsUser = new(int64(0))
	}
	rootUser := func(p *Pod) { containerSC(p, 0).RunAsUser = new(int64(0)) }
	engineType := func(p *Pod) { podSC(p).SELinuxOptions = &corev1.SELinuxOptions{Type: "container_engine_t"} }
	unmasked := func(p *Pod) {
		p.Spec.HostUsers = new(false)
		containerSC(p, 0).ProcMount = new(corev1.UnmaskedProcMount)
	}
	probeHost := func(p *Pod) {
		p.Spec.Containers[0].LivenessProbe = &Handler{HTTPGet: &HostAction{Host: "169.254.169.254"}}
	}
	noSeccomp := func(p *Pod) { p.Spec.SecurityContext.SeccompProfile = nil }
	unconfinedField := func(p *Pod) {
		p.Spec.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	}
	unconfinedAnnotation := func(p *Pod) {
		p.Annotations = map[string]string{SeccompContainerAnnotationPrefix + "app": "unconfined"}
	}
	escalation := func(p *Pod) { containerSC(p, 0).AllowPrivilegeEscalation = nil }

	tests := []struct {
		name    string
		profile Profile
		version Version
		pod     Pod
		want    []string
	}{
		{"tcp_notsent_lowat safe from v1.37", Baseline, at(37), podWith(sysctl("net.ipv4.tcp_notsent_lowat")), nil},
		{"tcp_notsent_lowat safe at latest", Restricted, Latest, podWith(sysctl("net.ipv4.tcp_notsent_lowat")), nil},
		{"tcp_slow_start_after_idle unsafe before v1.37", Baseline, at(36), podWith(sysctl("net.ipv4.tcp_slow_start_after_idle")), []string{"unsafe-sysctls"}},
		{"tcp_rmem safe from v1.32", Baseline, at(32), podWith(sysctl("net.ipv4.tcp_rmem")), nil},
		{"tcp_rmem unsafe before v1.32", Baseline, at(31), podWith(sysctl("net.ipv4.tcp_rmem")), []string{"unsafe-sysctls"}},
		{"tcp_keepalive_time unsafe before v1.29", Baseline, at(28), podWith(sysctl("net.ipv4.tcp_keepalive_time")), []string{"unsafe-sysctls"}},
		{"ip_local_reserved_ports unsafe before v1.27", Baseline, at(26), podWith(sysctl("net.ipv4.ip_local_reserved_ports")), []string{"unsafe-sysctls"}},
		{"ping_group_range safe at v1.0", Baseline, at(0), podWith(sysctl("net.ipv4.ping_group_range")), nil},
		{"container_engine_t from v1.31", Baseline, at(31), podWith(engineType), nil},
		{"container_engine_t refused before v1.31", Baseline, at(30), podWith(engineType), []string{"selinux-options"}},
		{"Windows pod exempt from Linux-only fields from v1.25", Restricted, at(25), podWith(windows), nil},
		{"Windows pod judged before v1.25", Restricted, at(24), podWith(windows), []string{"privilege-escalation", "seccomp-profile", "minimal-capabilities"}},
		{"user namespace relaxes root checks from v1.35", Restricted, at(35), podWith(userNamespace), nil},
		{"user namespace relaxes nothing before v1.35", Restricted, at(34), podWith(userNamespace), []string{"run-as-root"}},
		{"runAsUser 0 refused from v1.23", Restricted, at(23), podWith(rootUser), []string{"run-as-root"}},
		{"runAsUser 0 beside runAsNonRoot not judged before v1.23", Restricted, at(22), podWith(rootUser), nil},
		{"AKS follows the version's runAsUser too", AKS, at(22), podWith(rootUser), nil},
		{"baseline unmasked /proc in a user namespace from v1.35", Baseline, at(35), podWith(unmasked), nil},
		{"baseline unmasked /proc refused before v1.35", Baseline, at(34), podWith(unmasked), []string{"proc-mount"}},
		{"restricted unmasked /proc refused at latest", Restricted, Latest, podWith(unmasked), []string{"proc-mount"}},
		{"probe host refused from v1.34", Baseline, at(34), podWith(probeHost), []string{"probe-host"}},
		{"probe host not judged before v1.34", Baseline, at(33), podWith(probeHost), nil},
		{"seccomp profile required from v1.19", Restricted, at(19), podWith(noSeccomp), []string{"seccomp-profile"}},
		{"seccomp profile not required before v1.19", Restricted, at(18), podWith(noSeccomp), nil},
		{"seccomp field judged from v1.19", Baseline, at(19), podWith(unconfinedField), []string{"seccomp-profile"}},
		{"seccomp field ignored before v1.19", Baseline, at(18), podWith(unconfinedField), nil},
		{"seccomp annotation judged before v1.19", Restricted, at(18), podWith(unconfinedAnnotation), []string{"seccomp-profile"}},
		{"seccomp annotation ignored from v1.19", Baseline, at(19), podWith(unconfinedAnnotation), nil},
		{"AKS requires a seccomp field at any version", AKS, at(18), podWith(noSeccomp), []string{"seccomp-profile"}},
		{"privilege escalation judged from v1.8", Restricted, at(8), podWith(escalation), []string{"privilege-escalation"}},
		{"privilege escalation not judged before v1.8", Restricted, at(7), podWith(escalation), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := OptionsFor(tt.profile, tt.version)
			var got []string
			for _, r := range All() {
				if r.CheckPod == nil || !r.On(tt.profile, tt.version) {
					continue
				}
				if len(r.CheckPod(&tt.pod, &opts)) > 0 {
					got = append(got, r.ID)
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
