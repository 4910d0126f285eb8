package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kubeguard/kubeguard/rules"
)

var (
	// controlRule finds the rule a Pod Security control maps to, and the setting value it needs, if any:
	// [`seccomp-profile`](#seccomp-profile) with `requireProfile: false`.
	controlRule    = regexp.MustCompile("\\[`([a-z][a-z0-9-]*)`\\]\\(#[a-z0-9-]+\\)")
	controlSetting = regexp.MustCompile("with `([a-zA-Z]+): (true|false)`")
)

const controlsHeader = "| Pod Security control | level | kubeguard rule | profiles |\n|---|---|---|---|\n"

// controlsTable rewrites the profiles column of the table mapping each Pod Security control to a rule. The
// first three columns say which control a rule implements, which only a person can tell; the profiles are
// the registry's: those that turn the rule on, or, for a row that names a setting's value, those of them
// under which that value is the default.
func controlsTable(entries []entry, old string) (string, error) {
	byID := map[string]entry{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	lines := strings.Split(strings.TrimSuffix(old, "\n"), "\n")
	if len(lines) < 2 || strings.Join(lines[:2], "\n")+"\n" != controlsHeader {
		return "", fmt.Errorf("the table must start with the header %q", controlsHeader)
	}
	var b strings.Builder
	b.WriteString(controlsHeader)
	for _, line := range lines[2:] {
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(line, "| "), " |"), " | ")
		if len(cells) != 4 {
			return "", fmt.Errorf("row %q: want 4 cells", line)
		}
		m := controlRule.FindStringSubmatch(cells[2])
		if m == nil {
			return "", fmt.Errorf("row %q names no rule as [`id`](#id)", line)
		}
		e, ok := byID[m[1]]
		if !ok {
			return "", fmt.Errorf("row %q names %q, which is no rule", line, m[1])
		}
		profiles := e.Profiles
		if s := controlSetting.FindStringSubmatch(cells[2]); s != nil {
			var err error
			if profiles, err = profilesWithDefault(e, s[1], s[2] == "true"); err != nil {
				return "", fmt.Errorf("row %q: %w", line, err)
			}
		}
		cells[3] = profileList(profiles)
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String(), nil
}

// profilesWithDefault returns the profiles that turn e on with its Boolean setting name at value.
func profilesWithDefault(e entry, name string, value bool) ([]rules.Profile, error) {
	for _, s := range e.Settings {
		if s.Name != name {
			continue
		}
		if s.Type != rules.Boolean {
			return nil, fmt.Errorf("setting %s of %s is not a boolean", name, e.ID)
		}
		var out []rules.Profile
		for _, p := range e.Profiles {
			if s.BoolDefault(p, rules.Latest) == value {
				out = append(out, p)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s has no setting %s", e.ID, name)
}
