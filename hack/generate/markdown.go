package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kubeguard/kubeguard/rules"
)

// renderRulesDoc regenerates the rule and audit check tables, their sections' skeletons, the settings table
// and the two profile tables of docs/rules.md.
func renderRulesDoc(reg []registry, current []byte) ([]byte, error) {
	doc := string(current)
	for _, r := range reg {
		var err error
		if doc, err = replaceMarkdown(doc, r.name+" table", r.table(r.entries, "#")); err != nil {
			return nil, err
		}
		if doc, err = renderSections(doc, r); err != nil {
			return nil, err
		}
	}
	steps := []struct {
		name string
		body func(string) (string, error)
	}{
		{"settings table", func(string) (string, error) { return settingsTable(configurable(reg)), nil }},
		{"profiles table", func(string) (string, error) { return profilesTable(profiled(reg)), nil }},
		{"pod security controls", func(old string) (string, error) { return controlsTable(configurable(reg), old) }},
	}
	for _, s := range steps {
		begin, end := markdownMarkers(s.name)
		old, _, err := region(doc, begin, end)
		if err != nil {
			return nil, err
		}
		body, err := s.body(old)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		if doc, err = replaceRegion(doc, begin, end, body); err != nil {
			return nil, err
		}
	}
	return []byte(doc), nil
}

// renderReadme regenerates the README's rule and audit check tables, whose IDs link to their sections in
// docs/rules.md.
func renderReadme(reg []registry, current []byte) ([]byte, error) {
	doc := string(current)
	for _, r := range reg {
		var err error
		if doc, err = replaceMarkdown(doc, r.name+" table", r.table(r.entries, "docs/rules.md#")); err != nil {
			return nil, err
		}
	}
	return []byte(doc), nil
}

func replaceMarkdown(doc, name, body string) (string, error) {
	begin, end := markdownMarkers(name)
	return replaceRegion(doc, begin, end, body)
}

// entryTable lists entries in registry order, each linked to its section under anchorBase.
func entryTable(entries []entry, anchorBase string) string {
	var b strings.Builder
	b.WriteString("| ID | profiles | what it checks |\n|---|---|---|\n")
	for _, e := range entries {
		fmt.Fprintf(&b, "| [`%s`](%s%s) | %s | %s |\n", e.ID, anchorBase, e.ID, profileList(e.Profiles), cell(e.Doc))
	}
	return b.String()
}

// checkTable lists audit checks in registry order, each linked to its section under anchorBase, with the
// mode a profile gives it and whether kubeguard audit --upgrade runs it.
func checkTable(entries []entry, anchorBase string) string {
	var b strings.Builder
	b.WriteString("| ID | profiles | default mode | `--upgrade` | what it reports |\n|---|---|---|---|---|\n")
	for _, e := range entries {
		fmt.Fprintf(&b, "| [`%s`](%s%s) | %s | %s | %s | %s |\n", e.ID, anchorBase, e.ID, profileList(e.Profiles), e.defaultMode(), yesNo(e.Upgrade), cell(e.Doc))
	}
	return b.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// profileList names profiles in the registry's order of profiles, or "none".
func profileList(ps []rules.Profile) string {
	var names []string
	for _, p := range rules.Profiles() {
		for _, q := range ps {
			if p == q {
				names = append(names, string(p))
			}
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// cell escapes what Markdown would read as a table border or an HTML tag in a doc string written for a
// terminal (system:serviceaccounts:<namespace>).
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// settingsTable lists every entry's settings, in registry order.
func settingsTable(entries []entry) string {
	var b strings.Builder
	b.WriteString("| rule | setting | type | default | what it changes |\n|---|---|---|---|---|\n")
	for _, e := range entries {
		for _, s := range e.Settings {
			fmt.Fprintf(&b, "| [`%s`](#%s) | `%s` | %s | %s | %s |\n", e.ID, e.ID, s.Name, settingTypeDoc(s.Type), defaultYAML(s), cell(s.Doc))
		}
	}
	return b.String()
}

func settingTypeDoc(t rules.SettingType) string {
	switch t {
	case rules.Boolean:
		return "boolean"
	case rules.NamePatterns:
		return "list of names (`prefix*` allowed)"
	}
	return string(t)
}

// defaultYAML writes a setting's default as the configuration would, followed by the profiles under which
// it differs at the latest Pod Security version, then before the versions that changed it.
func defaultYAML(s rules.Setting) string {
	if s.Type == rules.Boolean {
		out := "`" + strconv.FormatBool(s.BoolDefault(rules.DefaultProfile, rules.Latest)) + "`"
		for _, p := range rules.Profiles() {
			if v := s.BoolDefault(p, rules.Latest); v != s.BoolDefault(rules.DefaultProfile, rules.Latest) {
				out += fmt.Sprintf("; `%t` under `%s`", v, p)
			}
		}
		for _, b := range s.Before {
			out += fmt.Sprintf("; `%t` under `%s` before `profileVersion: v1.%d`", b.Value, b.Profile, b.Before)
		}
		return out
	}
	quoted := make([]string, len(s.DefaultNames))
	for i, n := range s.DefaultNames {
		quoted[i] = strconv.Quote(n)
	}
	return "`[" + strings.Join(quoted, ", ") + "]`"
}

// profilesTable says, for each profile, which rules it turns on.
func profilesTable(entries []entry) string {
	var b strings.Builder
	b.WriteString("| profile | rules on | what it is |\n|---|---|---|\n")
	for _, p := range rules.Profiles() {
		name := "`" + string(p) + "`"
		if p == rules.DefaultProfile {
			name += " (default)"
		}
		var ids []string
		for _, e := range entries {
			if e.on(p) {
				ids = append(ids, "`"+e.ID+"`")
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, strings.Join(ids, ", "), cell(p.Doc()))
	}
	return b.String()
}
