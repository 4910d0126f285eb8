package policy

import "fmt"

// applyRollout sets what the file says about staging enforcement: how updates are judged, the enforcement
// dates, and the namespaces judged in dry-run.
func (f *configFile) applyRollout(p *Policy) error {
	if f.Updates != nil {
		m, err := parseUpdateMode(f.Updates.value)
		if err != nil {
			return fmt.Errorf("line %d: updates: %w", f.Updates.line, err)
		}
		p.Updates = m
	}
	if f.EnforceAfter != nil {
		for i := range p.Rules {
			p.Rules[i].EnforceAfter = f.EnforceAfter.value
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
