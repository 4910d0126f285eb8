package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// installDoc is the operators' guide, which the chart's comments point to.
var installDoc = filepath.Join("..", "docs", "install.md")

// heading is a section of a Markdown file with the anchor GitHub gives it.
type heading struct {
	level  int
	title  string
	anchor string
}

// headings lists the ## and ### headings of a Markdown file in order, leaving out fenced code, where a
// line starting with # is a comment.
func headings(markdown string) []heading {
	var out []heading
	fenced := false
	for _, line := range strings.Split(markdown, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for level, prefix := range map[int]string{2: "## ", 3: "### "} {
			if title, ok := strings.CutPrefix(line, prefix); ok {
				out = append(out, heading{level: level, title: title, anchor: anchorOf(title)})
			}
		}
	}
	return out
}

// anchorOf is GitHub's anchor of a heading: lower case, punctuation dropped, spaces turned into hyphens.
func anchorOf(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9'):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// contentsEntry is a line of the contents list: "- [title](#anchor)", indented for a subsection.
var contentsEntry = regexp.MustCompile(`^( *)- \[(.+)\]\(#([^)]+)\)$`)

// TestInstallContentsListEverySection keeps docs/install.md's contents list in step with its sections:
// every ## section in order, and each indented entry a ### section of the section above it.
func TestInstallContentsListEverySection(t *testing.T) {
	raw, err := os.ReadFile(installDoc)
	require.NoError(t, err)
	doc := string(raw)
	all := headings(doc)

	intro, _, found := strings.Cut(doc, "\n## ")
	require.True(t, found, "docs/install.md has no ## section")
	var listed, wantListed []heading
	for _, line := range strings.Split(intro, "\n") {
		m := contentsEntry.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		level := 2
		if m[1] != "" {
			level = 3
		}
		listed = append(listed, heading{level: level, title: m[2], anchor: m[3]})
	}
	require.NotEmpty(t, listed, "docs/install.md has no contents list before its first section")

	var top []heading
	for _, h := range all {
		if h.level == 2 {
			top = append(top, h)
		}
	}
	var listedTop []heading
	for _, h := range listed {
		if h.level == 2 {
			listedTop = append(listedTop, h)
		}
	}
	assert.Equal(t, top, listedTop, "the contents list must name every ## section of docs/install.md, in order")

	// A subsection listed must be one of the section it is listed under.
	parent := ""
	for _, h := range all {
		if h.level == 2 {
			parent = h.anchor
		}
		wantListed = append(wantListed, heading{level: h.level, title: h.title, anchor: parent + "/" + h.anchor})
	}
	parent = ""
	for _, h := range listed {
		if h.level == 2 {
			parent = h.anchor
			continue
		}
		assert.Contains(t, wantListed, heading{level: 3, title: h.title, anchor: parent + "/" + h.anchor},
			"contents entry %q is not a ### section of the section above it", h.title)
	}
}

// Every link to a section of docs/install.md, from itself or from the README, names a section that exists.
func TestLinksIntoInstallDocResolve(t *testing.T) {
	raw, err := os.ReadFile(installDoc)
	require.NoError(t, err)
	anchors := map[string]bool{}
	for _, h := range headings(string(raw)) {
		anchors[h.anchor] = true
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	links := 0
	for file, pattern := range map[string]*regexp.Regexp{
		"docs/install.md": regexp.MustCompile(`\]\(#([^)]+)\)`),
		"README.md":       regexp.MustCompile(`\]\(docs/install\.md#([^)]+)\)`),
	} {
		text := string(raw)
		if file == "README.md" {
			text = string(readme)
		}
		for _, m := range pattern.FindAllStringSubmatch(text, -1) {
			links++
			assert.True(t, anchors[m[1]], "%s links to docs/install.md#%s, which is no section", file, m[1])
		}
	}
	assert.Positive(t, links)
}
