package main

import (
	"fmt"
	"strings"

	"github.com/kubeguard/kubeguard/rules"
)

// renderSchema rewrites the chart schema's "profile" and "rules" properties from the registry: one key
// per configurable entry, each with mode, enforceAfter and the entry's own settings, of their types. The
// schema is written by hand around them, in its own layout, which these two keep.
func renderSchema(reg []registry, current []byte) ([]byte, error) {
	doc := string(current)
	var profiles []string
	for _, p := range rules.Profiles() {
		profiles = append(profiles, `"`+string(p)+`"`)
	}
	doc, err := replaceProperty(doc, "profile", `    "profile": {
      "type": "string",
      "enum": [`+strings.Join(profiles, ", ")+`]
    }`)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString(`    "rules": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
`)
	entries := configurable(reg)
	for i, e := range entries {
		schema, err := ruleSchema(e)
		if err != nil {
			return nil, err
		}
		b.WriteString(schema)
		if i < len(entries)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("      }\n    }")
	doc, err = replaceProperty(doc, "rules", b.String())
	return []byte(doc), err
}

// ruleSchema is one entry's key under rules, at the schema's indentation.
func ruleSchema(e entry) (string, error) {
	if len(e.Settings) == 0 {
		return fmt.Sprintf(`        %q: { "$ref": "#/definitions/rule" }`, e.ID), nil
	}
	props := []string{
		`"mode": { "$ref": "#/definitions/ruleMode" }`,
		`"enforceAfter": { "$ref": "#/definitions/timestamp" }`,
	}
	for _, s := range e.Settings {
		switch s.Type {
		case rules.Boolean:
			props = append(props, fmt.Sprintf(`%q: { "type": "boolean" }`, s.Name))
		case rules.NamePatterns:
			props = append(props, fmt.Sprintf(`%q: { "$ref": "#/definitions/namePatterns" }`, s.Name))
		default:
			return "", fmt.Errorf("rule %s: setting %s has a type the chart's schema cannot express", e.ID, s.Name)
		}
	}
	return fmt.Sprintf(`        %q: {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            %s
          }
        }`, e.ID, strings.Join(props, ",\n            ")), nil
}

// replaceProperty replaces one top-level property of the schema ("    \"name\": {" up to its closing
// brace at the same indentation) with text, keeping the comma that follows it.
func replaceProperty(doc, name, text string) (string, error) {
	open := "\n    \"" + name + "\": {"
	if strings.Count(doc, open) != 1 {
		return "", fmt.Errorf("want one top-level property %q", name)
	}
	start := strings.Index(doc, open) + 1
	rest := doc[start:]
	end := strings.Index(rest, "\n    }")
	if end < 0 {
		return "", fmt.Errorf("property %q has no closing brace", name)
	}
	return doc[:start] + text + rest[end+len("\n    }"):], nil
}

// renderValues rewrites the comments of values.yaml that say which rules each profile turns on and which
// audit checks take a mode under rules, with the mode every profile gives them.
func renderValues(reg []registry, current []byte) ([]byte, error) {
	var b strings.Builder
	entries := profiled(reg)
	for _, p := range rules.Profiles() {
		var ids []string
		for _, e := range entries {
			if e.on(p) {
				ids = append(ids, e.ID)
			}
		}
		text := p.Doc() + ". Rules: " + strings.Join(ids, ", ") + "."
		b.WriteString(wrapComment(fmt.Sprintf("%-10s - ", p), text, 78))
	}
	begin, end := yamlMarkers("profiles")
	doc, err := replaceRegion(string(current), begin, end, b.String())
	if err != nil {
		return nil, err
	}
	b.Reset()
	var checks []entry
	for _, r := range reg {
		if r.configurable && !r.profiled {
			checks = append(checks, r.entries...)
		}
	}
	width := 0
	for _, e := range checks {
		width = max(width, len(e.ID))
	}
	for _, e := range checks {
		text := e.defaultMode() + " under " + strings.ReplaceAll(profileList(e.Profiles), ", ", ",")
		if e.Upgrade {
			text += "; run by --upgrade too"
		}
		b.WriteString(wrapComment(fmt.Sprintf("%-*s - ", width, e.ID), text, 78))
	}
	begin, end = yamlMarkers("checks")
	doc, err = replaceRegion(doc, begin, end, b.String())
	return []byte(doc), err
}

// wrapComment writes text as YAML comment lines of at most width characters where words allow, the first
// after "#   "+lead, the others indented under it.
func wrapComment(lead, text string, width int) string {
	prefix := "#   " + lead
	indent := "#   " + strings.Repeat(" ", len(lead))
	var b strings.Builder
	line := prefix
	fresh := true
	for _, w := range strings.Fields(text) {
		if !fresh && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line, fresh = indent, true
		}
		if !fresh {
			line += " "
		}
		line += w
		fresh = false
	}
	b.WriteString(line + "\n")
	return b.String()
}
