package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// schemaNode is the part of values.schema.json that says which keys exist.
type schemaNode struct {
	Properties map[string]*schemaNode `json:"properties"`
}

// TestValuesAreDocumentedAndChecked keeps values.yaml and values.schema.json in step: every key the
// chart defines is in both, and carries a comment in values.yaml saying what it does and why the
// default. Free-form maps (resources, affinity, ...) and maps empty by default are checked as one key.
func TestValuesAreDocumentedAndChecked(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	require.NoError(t, err)
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	require.Len(t, doc.Content, 1)

	rawSchema, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	require.NoError(t, err)
	var schema schemaNode
	require.NoError(t, json.Unmarshal(rawSchema, &schema))

	// global is what a parent chart passes down; it has no default of its own.
	compareKeys(t, "", doc.Content[0], &schema, []string{"global"})
}

func compareKeys(t *testing.T, path string, values *yaml.Node, schema *schemaNode, notInValues []string) {
	t.Helper()
	require.Equalf(t, yaml.MappingNode, values.Kind, "%s: values.yaml has no mapping here", path)
	var keys []string
	for i := 0; i+1 < len(values.Content); i += 2 {
		key, value := values.Content[i], values.Content[i+1]
		keys = append(keys, key.Value)
		full := strings.TrimPrefix(path+"."+key.Value, ".")
		assert.NotEmptyf(t, strings.TrimSpace(key.HeadComment), "values.yaml: %s has no comment above it", full)
		property, ok := schema.Properties[key.Value]
		if !assert.Truef(t, ok, "values.yaml: %s is not in values.schema.json", full) {
			continue
		}
		// An empty map ({} by default, like rules) is documented by its own comment.
		if property != nil && property.Properties != nil && len(value.Content) > 0 {
			compareKeys(t, full, value, property, nil)
		}
	}
	for name := range schema.Properties {
		if !slices.Contains(notInValues, name) {
			assert.Containsf(t, keys, name, "values.schema.json: %s.%s has no default in values.yaml", path, name)
		}
	}
}
