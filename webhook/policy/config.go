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
	Mode       *scalar           `yaml:"mode"`
	Rules      ruleSection       `yaml:"rules"`
	Exemptions exemptionsSection `yaml:"exemptions"`
}

type exemptionsSection struct {
	Namespaces  *[]string     `yaml:"namespaces"`
	Users       *namePatterns `yaml:"users"`
	Groups      *[]string     `yaml:"groups"`
	DryRunUsers *namePatterns `yaml:"dryRunUsers"`
}

// ruleConfig is one entry under rules:. Which settings a rule accepts is checked by ruleSettings.
type ruleConfig struct {
	Mode           *scalar       `yaml:"mode"`
	RequireProfile *bool         `yaml:"requireProfile"`
	AllowedUsers   *namePatterns `yaml:"allowedUsers"`
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
		if err := validatePattern(names[i]); err != nil {
			return fmt.Errorf("line %d: %w", items[i].Line, err)
		}
	}
	*n = names
	return nil
}

// ruleSettings lists the settings each rule accepts besides mode.
var ruleSettings = map[string][]string{
	"apparmor-profile": {"requireProfile"},
	"user-subject":     {"allowedUsers"},
}

// ruleSection keeps the rules in file order with their lines, so errors can point at them.
type ruleSection []ruleEntry

type ruleEntry struct {
	id     string
	line   int
	config ruleConfig
}

// UnmarshalYAML checks rule IDs and setting names itself: yaml's strict mode does not reach into maps.
func (s *ruleSection) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: rules must be a mapping of rule ID to settings", node.Line)
	}
	known := rules.IDs()
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		id := key.Value
		if !slices.Contains(known, id) {
			return fmt.Errorf("line %d: unknown rule %q (known rules: %s)", key.Line, id, strings.Join(known, ", "))
		}
		if slices.ContainsFunc(*s, func(e ruleEntry) bool { return e.id == id }) {
			return fmt.Errorf("line %d: rule %q is configured twice", key.Line, id)
		}
		entry := ruleEntry{id: id, line: key.Line}
		if value.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(value.Content); j += 2 {
				name := value.Content[j]
				if name.Value != "mode" && !slices.Contains(ruleSettings[id], name.Value) {
					return fmt.Errorf("line %d: rule %q has no setting %q (it takes: %s)",
						name.Line, id, name.Value, strings.Join(append([]string{"mode"}, ruleSettings[id]...), ", "))
				}
			}
		} else if value.Tag != "!!null" {
			return fmt.Errorf("line %d: settings of rule %q must be a mapping, like {mode: dry-run}", value.Line, id)
		}
		if err := value.Decode(&entry.config); err != nil {
			return err
		}
		*s = append(*s, entry)
	}
	return nil
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

// Parse checks a configuration and returns the policy it describes. An empty document means the defaults.
func Parse(data []byte) (*Policy, error) {
	var file configFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return nil, errors.New(unknownField.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "), `unknown key "$1"`))
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, fmt.Errorf("the configuration must be a single YAML document, and the next one does not parse: %w", err)
	default:
		return nil, fmt.Errorf("line %d: the configuration must be a single YAML document", extra.Line)
	}
	return file.policy()
}

func (f *configFile) policy() (*Policy, error) {
	p := Default()
	if f.Mode != nil {
		m, err := parseMode(f.Mode.value, false)
		if err != nil {
			return nil, fmt.Errorf("line %d: mode: %w", f.Mode.line, err)
		}
		for i := range p.Rules {
			p.Rules[i].Mode = m
		}
	}
	for _, entry := range f.Rules {
		rule := p.rule(entry.id)
		c := entry.config
		if c.Mode != nil {
			m, err := parseMode(c.Mode.value, true)
			if err != nil {
				return nil, fmt.Errorf("line %d: rules.%s.mode: %w", c.Mode.line, entry.id, err)
			}
			rule.Mode = m
		}
		if c.RequireProfile != nil {
			p.Options.RequireAppArmorProfile = *c.RequireProfile
		}
		if c.AllowedUsers != nil {
			p.Options.AllowedUsers = *c.AllowedUsers
		}
	}
	e := f.Exemptions
	setIfGiven(&p.Exemptions.Namespaces, e.Namespaces)
	setIfGiven(&p.Exemptions.Users, (*[]string)(e.Users))
	setIfGiven(&p.Exemptions.Groups, e.Groups)
	setIfGiven(&p.Exemptions.DryRunUsers, (*[]string)(e.DryRunUsers))
	return p, nil
}

func setIfGiven(dst *[]string, given *[]string) {
	if given != nil {
		*dst = *given
	}
}
