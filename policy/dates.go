package policy

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// timestamp is an RFC 3339 date read from the file with its line, so that a bad date can be pointed at.
type timestamp struct {
	value time.Time
	line  int
}

func (t *timestamp) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected an RFC 3339 timestamp, like 2026-09-01T00:00:00Z", node.Line)
	}
	// YAML's own timestamp type would also take a bare date or a space before the time: ask for one
	// spelling, the one kubectl and the API server print.
	v, err := time.Parse(time.RFC3339, node.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not an RFC 3339 timestamp, like 2026-09-01T00:00:00Z", node.Line, node.Value)
	}
	v = v.UTC()
	// The zero time (0001-01-01, or an offset that normalises to it) and other dates before 2000 are no
	// one's deadline: written as an "until", they would read as "never expires" to a careless eye and as a
	// long-past date to the code. Refuse them rather than guess what was meant.
	if v.Before(EarliestDate) {
		return fmt.Errorf("line %d: %q is before %s: write the date meant, like 2026-09-01T00:00:00Z",
			node.Line, node.Value, EarliestDate.Format("2006-01-02"))
	}
	t.value, t.line = v, node.Line
	return nil
}

// EarliestDate is the first date the configuration accepts.
var EarliestDate = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// ExpiresSoon is how long before its date an exemption is reported at startup, so that an admin has time
// to renew it or to have the team fix its workloads.
const ExpiresSoon = 14 * 24 * time.Hour

// FarAheadAfter is how far ahead a date may lie before kubeguard points it out: a date years away (a
// 9999 typo, a "temporary" exemption meant never to end) is accepted, but an admin should see it.
const FarAheadAfter = 3 // years

// Dated is one date of the configuration with the key that sets it and, for an entry, the entry's name.
type Dated struct {
	Key  string
	Name string
	At   time.Time
}

// FarAhead lists the dates of p (rules' enforceAfter, entries' until) more than FarAheadAfter years after
// now, rules first in rule order, then the entries in file order.
func (p *Policy) FarAhead(now time.Time) []Dated {
	limit := now.AddDate(FarAheadAfter, 0, 0)
	var out []Dated
	for _, r := range p.Rules {
		if r.EnforceAfter.After(limit) {
			out = append(out, Dated{Key: "rules." + r.ID + ".enforceAfter", At: r.EnforceAfter})
		}
	}
	for _, l := range p.DatedLists() {
		for _, e := range l.Entries {
			if e.Until.After(limit) {
				out = append(out, Dated{Key: l.Key + ".until", Name: e.Name, At: e.Until})
			}
		}
	}
	return out
}
