package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// A profile turns its rules on and the others off, and gives the settings its level's defaults; the global
// mode applies to the profile's rules only, and a rule's own mode or setting still wins.
func TestParseProfile(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		profile rules.Profile
		modes   map[string]policy.Mode // rules not listed are off
		options rules.Options
	}{
		{
			name:    "aks named explicitly is the default",
			yaml:    "profile: aks\n",
			profile: rules.AKS,
			modes:   profileModes(rules.AKS, policy.Enforce),
			options: rules.DefaultOptions(),
		},
		{
			name:    "baseline in dry-run",
			yaml:    "profile: baseline\nmode: dry-run\n",
			profile: rules.Baseline,
			modes:   profileModes(rules.Baseline, policy.DryRun),
			options: rules.OptionsFor(rules.Baseline, rules.Latest),
		},
		{
			name:    "restricted with one rule off, one in dry-run and AppArmor required",
			yaml:    "profile: restricted\nrules:\n  volume-types: {mode: off}\n  host-ports: {mode: dry-run}\n  apparmor-profile: {requireProfile: true}\n",
			profile: rules.Restricted,
			modes: func() map[string]policy.Mode {
				m := map[string]policy.Mode{}
				for _, id := range rules.IDs() {
					m[id] = policy.Enforce
				}
				m["volume-types"], m["host-ports"] = policy.Off, policy.DryRun
				return m
			}(),
			options: func() rules.Options {
				o := rules.OptionsFor(rules.Restricted, rules.Latest)
				o.RequireAppArmorProfile = true
				return o
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.yaml))
			require.NoError(t, err)
			assert.Equal(t, tt.profile, p.Profile)
			want := map[string]policy.Mode{}
			for _, id := range rules.IDs() {
				want[id] = policy.Off
			}
			for id, m := range tt.modes {
				want[id] = m
			}
			assert.Equal(t, want, modes(p))
			assert.Equal(t, tt.options, p.Options)
		})
	}
}

// profileModes gives every rule that profile p turns on (as the rules declare, rules/profile_test.go holds
// the released rules to it) the mode m.
func profileModes(p rules.Profile, m policy.Mode) map[string]policy.Mode {
	modes := map[string]policy.Mode{}
	for _, r := range rules.All() {
		if r.On(p, rules.Latest) {
			modes[r.ID] = m
		}
	}
	return modes
}

// ForProfile gives the same policy as a configuration naming only the profile.
func TestForProfileIsTheProfileAlone(t *testing.T) {
	for _, profile := range rules.Profiles() {
		parsed, err := policy.Parse([]byte("profile: " + string(profile) + "\n"))
		require.NoError(t, err)
		assertSamePolicy(t, policy.ForProfile(profile, rules.Latest), parsed)
	}
}

// profileVersion pins the Pod Security version the profile follows, whichever comes first in the file: the
// level's rules and settings as they stood then. Without it, or with latest, the profile is the newest.
func TestParseProfileVersion(t *testing.T) {
	v118, err := rules.ParseVersion("v1.18")
	require.NoError(t, err)
	for _, yaml := range []string{"profile: restricted\nprofileVersion: v1.18\n", "profileVersion: v1.18\nprofile: restricted\n"} {
		p, err := policy.Parse([]byte(yaml))
		require.NoError(t, err)
		assertSamePolicy(t, policy.ForProfile(rules.Restricted, v118), p)
		assert.Equal(t, v118, p.ProfileVersion)
		assert.Equal(t, v118, p.Options.PodSecurityVersion)
		assert.False(t, p.Options.RequireSeccompProfile, "restricted asked for no seccomp profile before v1.19")
		assert.Equal(t, policy.Off, modes(p)["minimal-capabilities"], "restricted dropped no capabilities before v1.22")
		assert.Equal(t, policy.Enforce, modes(p)["privilege-escalation"])
	}

	for _, yaml := range []string{"profile: baseline\n", "profile: baseline\nprofileVersion: latest\n"} {
		p, err := policy.Parse([]byte(yaml))
		require.NoError(t, err)
		assert.Equal(t, rules.Latest, p.ProfileVersion)
		assertSamePolicy(t, policy.ForProfile(rules.Baseline, rules.Latest), p)
	}

	// Without a profile, the version applies to the default one.
	p, err := policy.Parse([]byte("profileVersion: v1.18\n"))
	require.NoError(t, err)
	assert.Equal(t, rules.AKS, p.Profile)
	assert.Equal(t, v118, p.Options.PodSecurityVersion)
}

// The audit checks are on under every profile, each in its default mode, and set under rules.<id>
// like a rule; the global mode and enforceAfter leave them as they are.
func TestAuditCheckModes(t *testing.T) {
	for _, profile := range rules.Profiles() {
		p := policy.ForProfile(profile, rules.Latest)
		got := map[string]policy.Mode{}
		for _, c := range p.Checks {
			got[c.ID] = c.Mode
		}
		assert.Equal(t, map[string]policy.Mode{"instance-metadata-egress": policy.DryRun, "drain-blocked": policy.Enforce, "unmanaged-pod": policy.DryRun, "removed-api-in-use": policy.Enforce}, got, profile)
	}
	p, err := policy.Parse([]byte("mode: dry-run\nenforceAfter: \"2999-01-01T00:00:00Z\"\nrules:\n  unmanaged-pod: {mode: enforce}\n  drain-blocked: {mode: \"off\"}\n"))
	require.NoError(t, err)
	assert.Equal(t, policy.Enforce, p.Check("unmanaged-pod").Mode)
	assert.True(t, p.Check("unmanaged-pod").EnforceAfter.IsZero())
	assert.Equal(t, policy.Off, p.Check("drain-blocked").Mode)
	assert.Equal(t, policy.Enforce, p.Check("removed-api-in-use").Mode)
	assert.Nil(t, p.Check("privileged"), "a rule is no audit check")
}
