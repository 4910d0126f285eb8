package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubeguard/kubeguard/rules"
)

// configFile is the YAML file's shape. Pointers tell "not given" (take the default) from "given empty".
type configFile struct {
	// APIVersion and Kind are checked by readVersion before the rest is read; they are here so that the
	// decoder knows the keys.
	APIVersion       yaml.Node         `yaml:"apiVersion"`
	Kind             yaml.Node         `yaml:"kind"`
	Profile          *scalar           `yaml:"profile"`
	ProfileVersion   *scalar           `yaml:"profileVersion"`
	Mode             *scalar           `yaml:"mode"`
	Rules            ruleSection       `yaml:"rules"`
	Exemptions       exemptionsSection `yaml:"exemptions"`
	Updates          yaml.Node         `yaml:"updates"`
	EnforceAfter     yaml.Node         `yaml:"enforceAfter"`
	DryRunNamespaces *dryRunNamespaces `yaml:"dryRunNamespaces"`
}

type exemptionsSection struct {
	Namespaces  *exemptNamespaces `yaml:"namespaces"`
	Users       *exemptUsers      `yaml:"users"`
	Groups      *exemptGroups     `yaml:"groups"`
	DryRunUsers *dryRunUsers      `yaml:"dryRunUsers"`
}

// ruleConfig is one entry under rules:: its mode, and the settings the rule declares, already applied to
// a copy of the options.
type ruleConfig struct {
	mode         *scalar
	enforceAfter *timestamp
	// settings are the rule's settings that the entry gives, in file order, with their values' nodes.
	settings []ruleSetting
}

// ruleSetting is one setting's value, checked against the setting's type as it is read.
type ruleSetting struct {
	setting rules.Setting
	flag    bool
	names   namePatterns
}

// scalar is a string remembered with its line, so that a bad value can be pointed at.
type scalar struct {
	value string
	line  int
}

func (s *scalar) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a single value", node.Line)
	}
	s.value, s.line = node.Value, node.Line
	return nil
}

// namePatterns is a list of user names, exact or prefix*, checked as it is read so that a bad name can be
// pointed at by its line.
type namePatterns []string

func (n *namePatterns) UnmarshalYAML(node *yaml.Node) error {
	// Decoding item by item keeps each name's node, and so its line, even when the list is an alias.
	var items []yaml.Node
	if err := node.Decode(&items); err != nil {
		return err
	}
	names := make([]string, len(items))
	for i := range items {
		if err := items[i].Decode(&names[i]); err != nil {
			return err
		}
		if err := rules.ValidatePattern(names[i]); err != nil {
			return fmt.Errorf("line %d: %w", items[i].Line, err)
		}
	}
	*n = names
	return nil
}

// ruleSection keeps the rules in file order with their lines, so errors can point at them.
type ruleSection []ruleEntry

type ruleEntry struct {
	id     string
	line   int
	config ruleConfig
}

// UnmarshalYAML checks rule IDs and setting names itself: yaml's strict mode does not reach into maps, and
// which settings a rule takes is declared by the rule.
func (s *ruleSection) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: rules must be a mapping of rule ID to settings", node.Line)
	}
	// The audit checks are configured like the rules, under their own IDs.
	all := append(rules.All(), rules.AuditChecks()...)
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		id := key.Value
		at := slices.IndexFunc(all, func(r rules.Rule) bool { return r.ID == id })
		if at < 0 {
			known := make([]string, len(all))
			for j, r := range all {
				known[j] = r.ID
			}
			return fmt.Errorf("line %d: unknown rule %q (known rules and audit checks: %s)", key.Line, id, strings.Join(known, ", "))
		}
		if slices.ContainsFunc(*s, func(e ruleEntry) bool { return e.id == id }) {
			return fmt.Errorf("line %d: rule %q is configured twice", key.Line, id)
		}
		entry := ruleEntry{id: id, line: key.Line}
		if err := entry.config.read(all[at], value); err != nil {
			return err
		}
		*s = append(*s, entry)
	}
	return nil
}

// read takes a rule's entry: null (nothing set) or a mapping of mode and the rule's own settings.
func (c *ruleConfig) read(rule rules.Rule, node *yaml.Node) error {
	if node.Tag == "!!null" {
		return nil
	}
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: settings of rule %q must be a mapping, like {mode: dry-run}", node.Line, rule.ID)
	}
	seen := map[string]bool{}
	for j := 0; j+1 < len(node.Content); j += 2 {
		name, value := node.Content[j], node.Content[j+1]
		if seen[name.Value] {
			return fmt.Errorf("line %d: rules.%s.%s is given twice", name.Line, rule.ID, name.Value)
		}
		seen[name.Value] = true
		if name.Value == "mode" {
			c.mode = new(scalar)
			if err := value.Decode(c.mode); err != nil {
				return err
			}
			continue
		}
		if name.Value == "enforceAfter" {
			c.enforceAfter = new(timestamp)
			if err := value.Decode(c.enforceAfter); err != nil {
				return fmt.Errorf("rules.%s.enforceAfter: %w", rule.ID, err)
			}
			continue
		}
		setting, ok := rule.Setting(name.Value)
		if !ok {
			return fmt.Errorf("line %d: rule %q has no setting %q (it takes: %s)",
				name.Line, rule.ID, name.Value, strings.Join(append([]string{"mode", "enforceAfter"}, rule.SettingNames()...), ", "))
		}
		rs := ruleSetting{setting: setting}
		if err := rs.decode(rule.ID, value); err != nil {
			return err
		}
		c.settings = append(c.settings, rs)
	}
	return nil
}

// decode reads a setting's value as the setting's type.
func (s *ruleSetting) decode(ruleID string, value *yaml.Node) error {
	switch s.setting.Type {
	case rules.Boolean:
		return value.Decode(&s.flag)
	case rules.NamePatterns:
		return value.Decode(&s.names)
	}
	return fmt.Errorf("line %d: rules.%s.%s has a type kubeguard cannot read", value.Line, ruleID, s.setting.Name)
}

// apply stores the value into the options the rules read.
func (s ruleSetting) apply(opts *rules.Options) {
	switch s.setting.Type {
	case rules.Boolean:
		s.setting.SetBool(opts, s.flag)
	case rules.NamePatterns:
		s.setting.SetNames(opts, s.names)
	}
}

// Load reads and checks a configuration file.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// unknownField rewrites yaml's Go-flavoured complaint into the key the user typed.
var unknownField = regexp.MustCompile(`field (\S+) not found in type \S+`)

// Parse checks a configuration and returns the policy it describes, with the warnings its form earns (an
// unversioned file). An empty document means the defaults.
func Parse(data []byte) (*Policy, error) {
	// The version is read first, from the document as written: it says how to read the rest, and a file
	// for another version should be told so rather than about the keys this version does not know.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, decodeError(err)
	}
	warnings, err := readVersion(&doc)
	if err != nil {
		return nil, err
	}
	var file configFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return nil, decodeError(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, fmt.Errorf("the configuration must be a single YAML document, and the next one does not parse: %w", err)
	default:
		return nil, fmt.Errorf("line %d: the configuration must be a single YAML document", extra.Line)
	}
	p, err := file.policy()
	if err != nil {
		return nil, err
	}
	p.Warnings = warnings
	return p, nil
}

// decodeError rewrites yaml's complaint in the file's terms.
func decodeError(err error) error {
	return errors.New(unknownField.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "), `unknown key "$1"`))
}

func (f *configFile) policy() (*Policy, error) {
	p, err := f.basePolicy()
	if err != nil {
		return nil, err
	}
	if f.Mode != nil {
		m, err := parseMode(f.Mode.value, false)
		if err != nil {
			return nil, fmt.Errorf("line %d: mode: %w", f.Mode.line, err)
		}
		// The global mode sets how the profile's rules act; rules the profile leaves off stay off.
		for i := range p.Rules {
			if p.Rules[i].Mode != Off {
				p.Rules[i].Mode = m
			}
		}
	}
	for _, entry := range f.Rules {
		rule := p.rule(entry.id)
		c := entry.config
		if c.mode != nil {
			m, err := parseMode(c.mode.value, true)
			if err != nil {
				return nil, fmt.Errorf("line %d: rules.%s.mode: %w", c.mode.line, entry.id, err)
			}
			rule.Mode = m
		}
		for _, s := range c.settings {
			s.apply(&p.Options)
		}
	}
	if err := f.applyRollout(p); err != nil {
		return nil, err
	}
	f.Exemptions.apply(&p.Exemptions)
	return p, nil
}
