package policy

import (
	"fmt"
	"strings"

	"github.com/kubeguard/kubeguard/rules"
)

// ForProfile is the policy of a configuration that names only a profile and its Pod Security version: the
// profile's rules at that version enforced, every other rule off, and the settings at their defaults under
// the profile and version.
func ForProfile(profile rules.Profile, version rules.Version) *Policy {
	all := rules.All()
	p := &Policy{
		Profile:        profile,
		ProfileVersion: version,
		Rules:          make([]Rule, len(all)),
		Options:        rules.OptionsFor(profile, version),
		Exemptions:     DefaultExemptions(),
		Updates:        Ratchet,
	}
	for i, r := range all {
		p.Rules[i] = Rule{Rule: r, Mode: defaultMode(r, profile, version)}
	}
	for _, c := range rules.AuditChecks() {
		p.Checks = append(p.Checks, Rule{Rule: c, Mode: defaultMode(c, profile, version)})
	}
	return p
}

// defaultMode is the mode profile gives r: off unless the profile turns it on.
func defaultMode(r rules.Rule, profile rules.Profile, version rules.Version) Mode {
	switch {
	case !r.On(profile, version):
		return Off
	case r.DryRunByDefault:
		return DryRun
	}
	return Enforce
}

// parseProfile accepts the name of a registered profile.
func parseProfile(s string) (rules.Profile, error) {
	names := make([]string, 0, len(rules.Profiles()))
	for _, p := range rules.Profiles() {
		if string(p) == s {
			return p, nil
		}
		names = append(names, string(p))
	}
	return "", fmt.Errorf("unknown profile %q (want %s)", s, strings.Join(names, ", "))
}

// basePolicy is the policy of the configuration's profile at its Pod Security version, before its modes and
// settings apply.
func (f *configFile) basePolicy() (*Policy, error) {
	profile, version := rules.DefaultProfile, rules.Latest
	if f.Profile != nil {
		var err error
		if profile, err = parseProfile(f.Profile.value); err != nil {
			return nil, fmt.Errorf("line %d: profile: %w", f.Profile.line, err)
		}
	}
	if f.ProfileVersion != nil {
		var err error
		if version, err = rules.ParseVersion(f.ProfileVersion.value); err != nil {
			return nil, fmt.Errorf("line %d: profileVersion: %w", f.ProfileVersion.line, err)
		}
	}
	return ForProfile(profile, version), nil
}
