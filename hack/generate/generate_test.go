package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/rules"
)

// root is the repository's root, seen from this package's directory.
const root = "../.."

// Every generated file is what the generator would write from the registries today.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	reg := registries()
	for _, out := range outputs() {
		t.Run(out.path, func(t *testing.T) {
			current, err := os.ReadFile(filepath.Join(root, out.path))
			require.NoError(t, err)
			want, err := out.render(reg, current)
			require.NoError(t, err, "run make generate")
			if string(want) != string(current) {
				t.Errorf("%s differs from what the registries say: run make generate\n%s", out.path, firstDifference(string(current), string(want)))
			}
		})
	}
}

// Every rule's section in docs/rules.md has its hand-written prose, not the placeholder a new rule gets.
func TestEveryRuleSectionIsWritten(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs/rules.md"))
	require.NoError(t, err)
	assert.NotContains(t, string(doc), placeholder, "docs/rules.md: write the section of each new rule where the placeholder stands")
}

// A registry changed under the files is caught: a rule the files do not know, a setting, a profile
// membership, each makes a generated file differ, and the generator writes what the registry says.
func TestStaleFilesAreCaught(t *testing.T) {
	reg := registries()
	changed := make([]registry, len(reg))
	copy(changed, reg)
	entries := append([]entry(nil), reg[0].entries...)
	entries = append(entries, entry{ID: "no-new-thing", Doc: "Rejects nothing yet.", Profiles: []rules.Profile{rules.Restricted},
		Settings: []rules.Setting{{Name: "allowNothing", Doc: "Lets nothing pass.", Type: rules.Boolean}}})
	entries[0].Profiles = []rules.Profile{rules.Baseline}
	changed[0].entries = entries
	checks := append([]entry(nil), reg[1].entries...)
	checks = append(checks, entry{ID: "no-new-check", Doc: "Reports nothing yet.", Profiles: []rules.Profile{rules.AKS}, Upgrade: true})
	changed[1].entries = checks

	for _, out := range outputs() {
		t.Run(out.path, func(t *testing.T) {
			current, err := os.ReadFile(filepath.Join(root, out.path))
			require.NoError(t, err)
			got, err := out.render(changed, current)
			require.NoError(t, err)
			assert.NotEqual(t, string(current), string(got), "a new rule must change %s", out.path)
			assert.Contains(t, string(got), "no-new-thing")
			assert.Contains(t, string(got), "no-new-check", "a new audit check must change %s", out.path)
			again, err := out.render(changed, got)
			require.NoError(t, err)
			assert.Equal(t, string(got), string(again), "generating twice changes nothing")
		})
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs/rules.md"))
	require.NoError(t, err)
	got, err := renderRulesDoc(changed, doc)
	require.NoError(t, err)
	assert.Contains(t, string(got), "## no-new-thing\n\n> **Profiles:** restricted. **Settings:** `mode`, `allowNothing` ([defaults](#configuration)).\n\nRejects nothing yet.\n\n"+placeholder+"\n")
	assert.Contains(t, string(got), "| [`no-new-thing`](#no-new-thing) | `allowNothing` | boolean | `false` | Lets nothing pass. |")
	assert.Contains(t, string(got), "| [`privileged`](#privileged) | baseline | ")
	assert.Contains(t, string(got), "### no-new-check\n\n> **Profiles:** aks (default mode `enforce`). **Settings:** `mode` only. Run by `--upgrade` too.\n\nReports nothing yet.\n\n"+placeholder+"\n")
	assert.Contains(t, string(got), "| [`no-new-check`](#no-new-check) | aks | enforce | yes | Reports nothing yet. |")
	// The profile tables list the rules a profile turns on; the audit checks have their own table.
	begin, end := markdownMarkers("profiles table")
	profiles, _, err := region(string(got), begin, end)
	require.NoError(t, err)
	assert.NotContains(t, profiles, "no-new-check")
	assert.NotContains(t, profiles, "drain-blocked")
	assert.Contains(t, profiles, "no-new-thing")
	schema, err := os.ReadFile(filepath.Join(root, "deploy/charts/kubeguard/values.schema.json"))
	require.NoError(t, err)
	got, err = renderSchema(changed, schema)
	require.NoError(t, err)
	assert.Contains(t, string(got), `"no-new-check": { "$ref": "#/definitions/rule" }`, "an audit check takes mode and enforceAfter in the chart's values")
}

// What the generator cannot place it refuses, with the reason, rather than writing a half-right file.
func TestGeneratorRefusesWhatItCannotPlace(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs/rules.md"))
	require.NoError(t, err)
	reg := registries()

	begin, _ := markdownMarkers("settings table")
	_, err = renderRulesDoc(reg, []byte(strings.Replace(string(doc), begin, "", 1)))
	assert.ErrorContains(t, err, "settings table")

	// A section whose rule is gone keeps its prose: the generator stops instead of dropping it.
	gone := strings.Replace(string(doc), "## host-ports\n", "## host-ports-gone\n", 1)
	_, err = renderRulesDoc(reg, []byte(gone))
	assert.ErrorContains(t, err, "host-ports-gone")
	goneCheck := strings.Replace(string(doc), "### drain-blocked\n", "### drain-blocked-gone\n", 1)
	_, err = renderRulesDoc(reg, []byte(goneCheck))
	assert.ErrorContains(t, err, "drain-blocked-gone")

	// A section that no longer describes a setting of its rule.
	undescribed := strings.ReplaceAll(string(doc), "`allowInUserNamespace`", "`allowInUserNS`")
	_, err = renderRulesDoc(reg, []byte(undescribed))
	assert.ErrorContains(t, err, "allowInUserNamespace")

	// A control row naming a rule that does not exist.
	_, err = renderRulesDoc(reg, []byte(strings.Replace(string(doc), "| SELinux | baseline | [`selinux-options`](#selinux-options)", "| SELinux | baseline | [`selinux`](#selinux)", 1)))
	assert.ErrorContains(t, err, `"selinux"`)
}

// firstDifference shows the first line where two texts part, to say what is stale.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  have: %s\n  want: %s", i+1, gl, wl)
		}
	}
	return ""
}
