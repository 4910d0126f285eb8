package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/rules"
)

// The chart's schema for rules: takes what the rules declare: one key per rule, each with mode,
// enforceAfter and the rule's own settings, of their types. A rule added, or a setting added to a rule, fails this test until the
// schema follows.
func TestRulesSchemaFollowsTheRules(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	require.NoError(t, err)
	var schema struct {
		Properties struct {
			Rules struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"rules"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(raw, &schema))
	got := map[string]any{}
	for id, s := range schema.Properties.Rules.Properties {
		var v any
		require.NoError(t, json.Unmarshal(s, &v))
		got[id] = v
	}

	want := map[string]any{}
	// The audit checks are configured under rules: too (kubeguard audit reads the same configuration).
	for _, r := range append(rules.All(), rules.AuditChecks()...) {
		want[r.ID] = ruleSchema(t, r)
	}
	assert.Equal(t, want, got)
}

// ruleSchema is the schema a rule's entry must have.
func ruleSchema(t *testing.T, r rules.Rule) any {
	if len(r.Settings) == 0 {
		return map[string]any{"$ref": "#/definitions/rule"}
	}
	properties := map[string]any{
		"mode":         map[string]any{"$ref": "#/definitions/ruleMode"},
		"enforceAfter": map[string]any{"$ref": "#/definitions/timestamp"},
	}
	for _, s := range r.Settings {
		switch s.Type {
		case rules.Boolean:
			properties[s.Name] = map[string]any{"type": "boolean"}
		case rules.NamePatterns:
			properties[s.Name] = map[string]any{"$ref": "#/definitions/namePatterns"}
		default:
			t.Errorf("rule %s: setting %s has a type the schema test does not know", r.ID, s.Name)
		}
	}
	return map[string]any{"type": "object", "additionalProperties": false, "properties": properties}
}
