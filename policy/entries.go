package policy

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kubeguard/kubeguard/rules"
)

// Entry is one name in an exemption list or in dryRunNamespaces, possibly time-boxed.
type Entry struct {
	// Name is a namespace, a user (exact or prefix*) or a group.
	Name string
	// Until ends the entry; the zero time means it never ends.
	Until time.Time
	// Reason says why the entry exists, for whoever reviews it when it expires.
	Reason string
}

// ActiveAt reports whether the entry applies at now.
func (e Entry) ActiveAt(now time.Time) bool {
	return e.Until.IsZero() || now.Before(e.Until)
}

// Plain makes entries that never end, one per name.
func Plain(names ...string) []Entry {
	out := make([]Entry, len(names))
	for i, n := range names {
		out[i] = Entry{Name: n}
	}
	return out
}

// matchesExactly reports whether one of entries active at now is name.
func matchesExactly(entries []Entry, name string, now time.Time) bool {
	for _, e := range entries {
		if e.Name == name && e.ActiveAt(now) {
			return true
		}
	}
	return false
}

// matchesPattern reports whether one of entries active at now matches name, exactly or as a prefix*.
func matchesPattern(entries []Entry, name string, now time.Time) bool {
	for i := range entries {
		if entries[i].ActiveAt(now) && rules.MatchesName([]string{entries[i].Name}, name) {
			return true
		}
	}
	return false
}

// entryList is a list of entries as the file gives them: each a plain name, or {name, until, reason}.
// patterns checks each name as a user pattern (exact or prefix*).
type entryList struct {
	entries  []Entry
	patterns bool
}

// read decodes a list node; key names the list in messages, e.g. exemptions.users.
func (l *entryList) read(key string, node *yaml.Node) error {
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	if node.Tag == "!!null" {
		l.entries = []Entry{}
		return nil
	}
	if node.Kind != yaml.SequenceNode {
		return fmt.Errorf("line %d: %s must be a list of names or of {name, until, reason}", node.Line, key)
	}
	l.entries = make([]Entry, 0, len(node.Content))
	for _, item := range node.Content {
		e, err := readEntry(key, item)
		if err != nil {
			return err
		}
		if l.patterns {
			if err := rules.ValidatePattern(e.Name); err != nil {
				return fmt.Errorf("line %d: %s: %w", item.Line, key, err)
			}
		} else if e.Name == "" {
			return fmt.Errorf("line %d: %s: empty name", item.Line, key)
		}
		l.entries = append(l.entries, e)
	}
	return nil
}

func readEntry(key string, item *yaml.Node) (Entry, error) {
	if item.Kind == yaml.AliasNode {
		item = item.Alias
	}
	switch item.Kind {
	case yaml.ScalarNode:
		return Entry{Name: item.Value}, nil
	case yaml.MappingNode:
		return readEntryMapping(key, item)
	}
	return Entry{}, fmt.Errorf("line %d: %s: each entry is a name or {name, until, reason}", item.Line, key)
}

// readEntryMapping reads {name, until, reason}, refusing any other key as the rest of the file does.
func readEntryMapping(key string, item *yaml.Node) (Entry, error) {
	var e Entry
	named := false
	seen := map[string]bool{}
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		if seen[k.Value] {
			return Entry{}, fmt.Errorf("line %d: %s: %s is given twice", k.Line, key, k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "name", "reason":
			var s scalar
			if err := s.UnmarshalYAML(v); err != nil {
				return Entry{}, fmt.Errorf("%s.%s: %w", key, k.Value, err)
			}
			if k.Value == "name" {
				e.Name, named = s.value, true
			} else {
				e.Reason = s.value
			}
		case "until":
			var t timestamp
			if err := t.UnmarshalYAML(v); err != nil {
				return Entry{}, fmt.Errorf("%s.until: %w", key, err)
			}
			e.Until = t.value
		default:
			return Entry{}, fmt.Errorf("line %d: %s: unknown key %q (an entry takes name, until and reason)", k.Line, key, k.Value)
		}
	}
	if !named {
		return Entry{}, fmt.Errorf("line %d: %s: an entry written as a mapping needs a name", item.Line, key)
	}
	return e, nil
}

// The lists of the file, one type per key so that messages name the key.
type (
	exemptNamespaces struct{ entryList }
	exemptUsers      struct{ entryList }
	exemptGroups     struct{ entryList }
	dryRunUsers      struct{ entryList }
	dryRunNamespaces struct{ entryList }
)

func (l *exemptNamespaces) UnmarshalYAML(node *yaml.Node) error {
	return l.read("exemptions.namespaces", node)
}

func (l *exemptUsers) UnmarshalYAML(node *yaml.Node) error {
	l.patterns = true
	return l.read("exemptions.users", node)
}

func (l *exemptGroups) UnmarshalYAML(node *yaml.Node) error {
	return l.read("exemptions.groups", node)
}

func (l *dryRunUsers) UnmarshalYAML(node *yaml.Node) error {
	l.patterns = true
	return l.read("exemptions.dryRunUsers", node)
}

func (l *dryRunNamespaces) UnmarshalYAML(node *yaml.Node) error {
	return l.read("dryRunNamespaces", node)
}

// List is one list of entries with the key the file gives it.
type List struct {
	Key     string
	Entries []Entry
}

// DatedLists are the lists whose entries may carry an until date, with their keys.
func (p *Policy) DatedLists() []List {
	return []List{
		{"exemptions.namespaces", p.Exemptions.Namespaces},
		{"exemptions.users", p.Exemptions.Users},
		{"exemptions.groups", p.Exemptions.Groups},
		{"exemptions.dryRunUsers", p.Exemptions.DryRunUsers},
		{"dryRunNamespaces", p.DryRunNamespaces},
	}
}

// Expiring lists the dated entries that have expired at now or expire within ExpiresSoon of it.
func (p *Policy) Expiring(now time.Time) []Expiring {
	var out []Expiring
	for _, l := range p.DatedLists() {
		for _, e := range l.Entries {
			if !e.Until.IsZero() && e.Until.Before(now.Add(ExpiresSoon)) {
				out = append(out, Expiring{Key: l.Key, Entry: e, Expired: !e.ActiveAt(now)})
			}
		}
	}
	return out
}

// Expiring is a dated entry near or past its end.
type Expiring struct {
	Key string
	Entry
	Expired bool
}
