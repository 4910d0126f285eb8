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
	t.value, t.line = v.UTC(), node.Line
	return nil
}

// ExpiresSoon is how long before its date an exemption is reported at startup, so that an admin has time
// to renew it or to have the team fix its workloads.
const ExpiresSoon = 14 * 24 * time.Hour
