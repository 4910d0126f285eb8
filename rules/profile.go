package rules

import "slices"

// Profile names a set of rules that a configuration turns on with one word (profile: baseline). Rules
// declare the profiles they belong to; settings may declare a different default under a profile.
type Profile string

const (
	// AKS is the AKS security guidance kubeguard enforces by default.
	AKS Profile = "aks"
	// Baseline is the Pod Security Standards' baseline level: no known privilege escalation.
	Baseline Profile = "baseline"
	// Restricted is the Pod Security Standards' restricted level: baseline plus current hardening practice.
	Restricted Profile = "restricted"
)

// DefaultProfile is the profile of a configuration that names none.
const DefaultProfile = AKS

// Profiles lists every profile, the default first.
func Profiles() []Profile {
	return []Profile{AKS, Baseline, Restricted}
}

// Doc says what the profile turns on and whom it is meant for, in one phrase; the docs, the README and the
// chart's values are generated from it.
func (p Profile) Doc() string {
	switch p {
	case AKS:
		return "the AKS security guidance; what kubeguard has always enforced"
	case Baseline:
		return "the Pod Security Standards' baseline level, for any workload that should not be able to take over its node"
	case Restricted:
		return "the Pod Security Standards' restricted level: baseline plus current hardening practice, for hardened application workloads"
	}
	return ""
}

// allProfiles is the membership of rules that every profile turns on, such as the binding rules.
func allProfiles() []Profile { return Profiles() }

// On reports whether profile p turns the rule on at Pod Security version v: a Pod Security level turns on
// a rule only from the version that added its check.
func (r Rule) On(p Profile, v Version) bool {
	if since, ok := r.Since[p]; ok && !v.AtLeast(since) {
		return false
	}
	return slices.Contains(r.Profiles, p)
}

// OptionsFor returns the settings used under profile p at Pod Security version v when the configuration
// says nothing else: each setting's default under that profile and version. Every call returns values of
// its own, which the caller may change.
func OptionsFor(p Profile, v Version) Options {
	opts := Options{PodSecurityVersion: v}
	for _, r := range All() {
		for _, s := range r.Settings {
			s.setDefault(&opts, p, v)
		}
	}
	return opts
}
