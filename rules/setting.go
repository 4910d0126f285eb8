package rules

// SettingType is the shape of a setting's value in the configuration file.
type SettingType string

const (
	// Boolean is true or false.
	Boolean SettingType = "boolean"
	// NamePatterns is a list of names, each exact or a prefix ending in "*" (see MatchesName).
	NamePatterns SettingType = "namePatterns"
)

// Setting is one value a cluster admin may set for a rule, under rules.<id>.<name> in the configuration.
// The rule that reads it declares it, so that the configuration parser, the chart's schema and the docs all
// follow from the registry.
type Setting struct {
	// Name is the key under the rule's entry, e.g. requireProfile.
	Name string
	// Doc says what the setting changes, in one sentence.
	Doc  string
	Type SettingType
	// DefaultBool and DefaultNames hold the value when the configuration says nothing, as Type says.
	DefaultBool  bool
	DefaultNames []string
	// ProfileBool overrides DefaultBool under the profiles it names, for a rule whose meaning differs
	// between them (the Pod Security levels ask less of AppArmor than the AKS guidance does).
	ProfileBool map[Profile]bool
	// Before overrides ProfileBool and DefaultBool under a profile at Pod Security versions older than the
	// one that gave the setting its current meaning there (restricted required a seccomp profile only from
	// v1.19).
	Before []VersionedBool
	// apply stores a value into the options the rule reads; exactly one of its arguments is meaningful,
	// as Type says.
	apply func(opts *Options, flag bool, names []string)
}

// VersionedBool is a Boolean default that held under Profile at Pod Security versions before v1.Before.
type VersionedBool struct {
	Profile Profile
	Before  int
	Value   bool
}

// setDefault stores the setting's default value under profile p at Pod Security version v.
func (s Setting) setDefault(opts *Options, p Profile, v Version) {
	s.apply(opts, s.BoolDefault(p, v), append([]string(nil), s.DefaultNames...))
}

// BoolDefault is a Boolean setting's default under profile p at Pod Security version v.
func (s Setting) BoolDefault(p Profile, v Version) bool {
	for _, b := range s.Before {
		if b.Profile == p && !v.AtLeast(b.Before) {
			return b.Value
		}
	}
	if value, ok := s.ProfileBool[p]; ok {
		return value
	}
	return s.DefaultBool
}

// SetBool stores a Boolean setting's value.
func (s Setting) SetBool(opts *Options, v bool) { s.apply(opts, v, nil) }

// SetNames stores a NamePatterns setting's value.
func (s Setting) SetNames(opts *Options, names []string) { s.apply(opts, false, names) }

// Setting returns the rule's setting called name, and false when the rule takes none by that name.
func (r Rule) Setting(name string) (Setting, bool) {
	for _, s := range r.Settings {
		if s.Name == name {
			return s, true
		}
	}
	return Setting{}, false
}

// SettingNames lists the names of the rule's settings, in declaration order.
func (r Rule) SettingNames() []string {
	names := make([]string, len(r.Settings))
	for i, s := range r.Settings {
		names[i] = s.Name
	}
	return names
}
