package policy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
)

// yamlBlock is a fenced YAML block of a Markdown file.
var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// Every configuration the README and docs/ show (a YAML block that starts a kubeguard configuration)
// loads as it is, in the current version and without a warning: a reader copies them.
func TestDocumentedConfigurationsLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	require.NoError(t, err)
	files = append(files, filepath.Join("..", "README.md"))
	found := 0
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, m := range yamlBlock.FindAllStringSubmatch(string(raw), -1) {
			block := m[1]
			if !strings.Contains(block, "\nkind: "+policy.Kind+"\n") && !strings.HasPrefix(block, "apiVersion: "+policy.Group) {
				continue
			}
			found++
			p, err := policy.Parse([]byte(block))
			if assert.NoError(t, err, "%s:\n%s", file, block) {
				assert.Empty(t, p.Warnings, "%s:\n%s", file, block)
			}
		}
	}
	assert.GreaterOrEqual(t, found, 4, "the README, docs/install.md and docs/rules.md show configurations")
}
