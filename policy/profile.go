package policy

import (
	"fmt"
	"strings"

	"github.com/kubeguard/kubeguard/rules"
)

// ForProfile is the policy of a configuration that names only a profile: the profile's rules enforced,
// every other rule off, and the settings at their defaults under the profile.
func ForProfile(profile rules.Profile) *Policy {
	all := rules.All()
	p := &Policy{
		Profile:    profile,
		Rules:      make([]Rule, len(all)),
		Options:    rules.OptionsFor(profile),
		Exemptions: DefaultExemptions(),
		Updates:    Ratchet,
	}
	for i, r := range all {
		p.Rules[i] = Rule{Rule: r, Mode: defaultMode(r, profile)}
	}
	for _, c := range rules.AuditChecks() {
		p.Checks = append(p.Checks, Rule{Rule: c, Mode: defaultMode(c, profile)})
	}
	return p
}

// defaultMode is the mode profile gives r: off unless the profile turns it on.
func defaultMode(r rules.Rule, profile rules.Profile) Mode {
	switch {
	case !r.On(profile):
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

// basePolicy is the policy of the configuration's profile, before its modes and settings apply.
func (f *configFile) basePolicy() (*Policy, error) {
	if f.Profile == nil {
		return Default(), nil
	}
	profile, err := parseProfile(f.Profile.value)
	if err != nil {
		return nil, fmt.Errorf("line %d: profile: %w", f.Profile.line, err)
	}
	return ForProfile(profile), nil
}
