package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// summaryPrefix starts the one generated line under each section's heading.
const summaryPrefix = "> **Profiles:** "

// Placeholder is the body the generator gives a new entry's section: the why, the fields read, the
// messages and the fix are for a person to write, and the staleness test fails until one has.
const placeholder = "<!-- write here, as for the other rules: why, the fields read, the messages and the fix -->"

// renderSections rewrites the registry's sections region of docs/rules.md: one "## <id>" section per entry
// ("### <id>" for a registry whose sections sit under a heading of their own),
// in registry order, each opened by a generated line (profiles and settings) and followed by its
// hand-written body, which is kept as it is. A new entry gets its doc and a placeholder; a section whose
// entry is gone is an error rather than prose silently dropped.
func renderSections(doc string, r registry) (string, error) {
	begin, end := markdownMarkers(r.name + " sections")
	old, _, err := region(doc, begin, end)
	if err != nil {
		return "", err
	}
	bodies, err := sectionBodies(old, r.heading)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, e := range r.entries {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(r.heading + e.ID + "\n\n" + r.summary(e) + "\n\n")
		body, ok := bodies[e.ID]
		if !ok {
			body = e.Doc + "\n\n" + placeholder + "\n"
		}
		delete(bodies, e.ID)
		for _, s := range e.Settings {
			if ok && !strings.Contains(body, placeholder) && !strings.Contains(body, "`"+s.Name+"`") {
				return "", fmt.Errorf("the section of %s does not describe its setting `%s`", e.ID, s.Name)
			}
		}
		b.WriteString(body)
	}
	if len(bodies) > 0 {
		gone := slices.Sorted(maps.Keys(bodies))
		return "", fmt.Errorf("sections for %s, which %s no longer declares: move what they say elsewhere, then remove them", strings.Join(gone, ", "), r.name)
	}
	return replaceRegion(doc, begin, end, b.String())
}

// ruleSummary is the generated line under a rule's heading: its profiles and settings.
func ruleSummary(e entry) string {
	return summaryPrefix + profileList(e.Profiles) + ". " + settingsSummary(e)
}

// checkSummary is the generated line under an audit check's heading: its profiles with the mode they give
// it, its settings, and whether kubeguard audit --upgrade runs it.
func checkSummary(e entry) string {
	upgrade := " Not run by `--upgrade`."
	if e.Upgrade {
		upgrade = " Run by `--upgrade` too."
	}
	return summaryPrefix + profileList(e.Profiles) + " (default mode `" + e.defaultMode() + "`). " + settingsSummary(e) + upgrade
}

// settingsSummary names the keys an entry takes under rules.<id>.
func settingsSummary(e entry) string {
	if len(e.Settings) == 0 {
		return "**Settings:** `mode` only."
	}
	names := []string{"`mode`"}
	for _, s := range e.Settings {
		names = append(names, "`"+s.Name+"`")
	}
	return "**Settings:** " + strings.Join(names, ", ") + " ([defaults](#configuration))."
}

// sectionBodies splits a sections region into each section's hand-written body, keyed by ID. A section ends
// where a line starts with heading ("## "), so a body's own headings are one level deeper or more.
func sectionBodies(region, heading string) (map[string]string, error) {
	bodies := map[string]string{}
	if strings.TrimSpace(region) == "" {
		return bodies, nil
	}
	if !strings.HasPrefix(region, heading) {
		return nil, fmt.Errorf("the sections region must start with a %q heading", heading+"<id>")
	}
	for _, part := range strings.Split(region[len(heading):], "\n"+heading) {
		id, body, _ := strings.Cut(part, "\n")
		if _, dup := bodies[id]; dup {
			return nil, fmt.Errorf("two sections for %s", id)
		}
		body = strings.TrimLeft(body, "\n")
		if strings.HasPrefix(body, summaryPrefix) {
			_, body, _ = strings.Cut(body, "\n")
			body = strings.TrimLeft(body, "\n")
		}
		bodies[id] = strings.TrimRight(body, "\n") + "\n"
	}
	return bodies, nil
}
