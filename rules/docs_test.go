package rules

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update rewrites the generated parts of the docs from the registry: go test ./rules -update.
var update = flag.Bool("update", false, "rewrite the generated tables in docs/rules.md from the registry")

const rulesDoc = "../docs/rules.md"

// Markers around the settings table in docs/rules.md, which is generated from the registry.
const (
	settingsBegin = "<!-- settings table: generated from the rules by go test ./rules -update; do not edit -->"
	settingsEnd   = "<!-- end of settings table -->"
)

// settingsTable renders every rule's settings, in registry order, as a Markdown table.
func settingsTable() string {
	var b strings.Builder
	b.WriteString("| rule | setting | type | default | what it changes |\n|---|---|---|---|---|\n")
	for _, r := range All() {
		for _, s := range r.Settings {
			fmt.Fprintf(&b, "| [`%s`](#%s) | `%s` | %s | %s | %s |\n", r.ID, r.ID, s.Name, settingTypeDoc(s.Type), defaultYAML(s), s.Doc)
		}
	}
	return b.String()
}

func settingTypeDoc(t SettingType) string {
	switch t {
	case Boolean:
		return "boolean"
	case NamePatterns:
		return "list of names (`prefix*` allowed)"
	}
	return string(t)
}

// defaultYAML writes a setting's default as it would be written in the configuration, followed by the
// profiles under which it differs, at the latest Pod Security version and then before the versions that
// changed it.
func defaultYAML(s Setting) string {
	if s.Type == Boolean {
		out := "`" + strconv.FormatBool(s.BoolDefault(DefaultProfile, Latest)) + "`"
		for _, p := range Profiles() {
			if v := s.BoolDefault(p, Latest); v != s.BoolDefault(DefaultProfile, Latest) {
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

// The settings table in docs/rules.md is the registry's, and the rule tables in docs/rules.md and the README
// list every rule, in registry order.
func TestDocs(t *testing.T) {
	data, err := os.ReadFile(rulesDoc)
	require.NoError(t, err)
	doc := string(data)
	begin, end := strings.Index(doc, settingsBegin), strings.Index(doc, settingsEnd)
	require.True(t, begin >= 0 && end > begin, "%s must hold the settings table between its markers", rulesDoc)
	generated := doc[:begin] + settingsBegin + "\n" + settingsTable() + doc[end:]
	if *update {
		require.NoError(t, os.WriteFile(rulesDoc, []byte(generated), 0o644))
	} else {
		assert.Equal(t, generated, doc, "the settings table differs from the rules (go test ./rules -update rewrites it)")
	}

	for _, file := range []string{rulesDoc, "../README.md"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Equal(t, IDs(), ruleTableIDs(string(data)), "the rule table of %s", file)
		})
	}
}

// ruleTableIDs returns the IDs in the first column of a document's rule table: the table whose header is
// "| ID | rejects |" or "| rule | rejects |", with IDs written `id` or [`id`](#id).
func ruleTableIDs(doc string) []string {
	header := regexp.MustCompile(`(?m)^\| (ID|rule) \| rejects \|$`)
	loc := header.FindStringIndex(doc)
	if loc == nil {
		return nil
	}
	cell := regexp.MustCompile("^\\| \\[?`([a-z][a-z0-9-]*)`")
	var ids []string
	for _, line := range strings.Split(doc[loc[1]:], "\n")[2:] {
		m := cell.FindStringSubmatch(line)
		if m == nil {
			break
		}
		ids = append(ids, m[1])
	}
	return ids
}
