package policy

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// applyRollout sets what the file says about staging enforcement: how updates are judged, the enforcement
// dates, and the namespaces judged in dry-run.
func (f *configFile) applyRollout(p *Policy) error {
	// Decoded here rather than by yaml, so that every message names the key.
	if given(&f.Updates) {
		var s scalar
		if err := s.UnmarshalYAML(&f.Updates); err != nil {
			return fmt.Errorf("updates: %w", err)
		}
		m, err := parseUpdateMode(s.value)
		if err != nil {
			return fmt.Errorf("line %d: updates: %w", s.line, err)
		}
		p.Updates = m
	}
	if given(&f.EnforceAfter) {
		var at timestamp
		if err := at.UnmarshalYAML(&f.EnforceAfter); err != nil {
			return fmt.Errorf("enforceAfter: %w", err)
		}
		for i := range p.Rules {
			p.Rules[i].EnforceAfter = at.value
		}
	}
	for _, entry := range f.Rules {
		if at := entry.config.enforceAfter; at != nil {
			p.rule(entry.id).EnforceAfter = at.value
		}
	}
	if f.DryRunNamespaces != nil {
		p.DryRunNamespaces = f.DryRunNamespaces.entries
	}
	return nil
}

// apply replaces each default list the file gives, even with an empty one.
func (e *exemptionsSection) apply(dst *Exemptions) {
	if e.Namespaces != nil {
		dst.Namespaces = e.Namespaces.entries
	}
	if e.Users != nil {
		dst.Users = e.Users.entries
	}
	if e.Groups != nil {
		dst.Groups = e.Groups.entries
	}
	if e.DryRunUsers != nil {
		dst.DryRunUsers = e.DryRunUsers.entries
	}
}

// given reports whether the file has the key whose value node is n.
func given(n *yaml.Node) bool { return n.Kind != 0 }
