package policy

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The configuration file names its format the way Kubernetes objects do, so that a later kubeguard can
// change the format and still tell which one a file is written in.
const (
	// Group is the API group of kubeguard's configuration.
	Group = "kubeguard.io"
	// APIVersion is the version of the configuration format this kubeguard writes and reads.
	APIVersion = Group + "/v1alpha1"
	// Kind is the configuration's kind.
	Kind = "Configuration"
)

// unversionedWarning is the warning of a file written before the configuration had a version. Such a
// file is read as APIVersion: the keys are the same.
var unversionedWarning = fmt.Sprintf("the configuration has no apiVersion: it is read as %s, but this unversioned form is deprecated "+
	"and a later release will refuse it; start the file with \"apiVersion: %s\" and \"kind: %s\"", APIVersion, APIVersion, Kind)

// readVersion checks the apiVersion and kind at the top of the document and returns the warnings the
// file's form earns. They decide how the rest of the file is read, so they must be written out literally:
//   - each once (a second apiVersion is refused, as any key given twice);
//   - not brought in by a merge key (<<), which would let an anchor elsewhere decide the format;
//   - exactly as spelt here: apiVersion and kind are case-sensitive, as in Kubernetes, and a value with
//     spaces or another case is refused with a hint rather than read as what it resembles.
//
// A document with no keys at all (empty, comments only, {}) sets nothing and earns no warning.
func readVersion(doc *yaml.Node) ([]string, error) {
	top := doc
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = top.Content[0]
	}
	if top.Kind != yaml.MappingNode {
		return nil, nil // not a mapping: the decoder says what is wrong with it
	}
	if len(top.Content) == 0 {
		return nil, nil
	}
	var apiVersion, kind *yaml.Node
	var apiVersionLine, kindLine int
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, value := top.Content[i], top.Content[i+1]
		switch {
		case key.Tag == "!!merge":
			if err := refuseMergedVersion(key.Line, value); err != nil {
				return nil, err
			}
		case key.Value == "apiVersion":
			if apiVersion != nil {
				return nil, fmt.Errorf("line %d: apiVersion is given twice", key.Line)
			}
			apiVersion, apiVersionLine = value, key.Line
		case key.Value == "kind":
			if kind != nil {
				return nil, fmt.Errorf("line %d: kind is given twice", key.Line)
			}
			kind, kindLine = value, key.Line
		}
	}
	switch {
	case apiVersion == nil && kind == nil:
		return []string{unversionedWarning}, nil
	case apiVersion == nil:
		return nil, fmt.Errorf("line %d: kind is given without apiVersion: start the file with \"apiVersion: %s\"", kindLine, APIVersion)
	case kind == nil:
		return nil, fmt.Errorf("line %d: apiVersion is given without kind: add \"kind: %s\"", apiVersionLine, Kind)
	}
	if err := checkHeader("apiVersion", apiVersionLine, apiVersion, APIVersion, versionHint); err != nil {
		return nil, err
	}
	return nil, checkHeader("kind", kindLine, kind, Kind, nil)
}

// checkHeader requires the value of key to be exactly want. hint, when given, explains a value of the
// right shape that this kubeguard does not read.
func checkHeader(key string, line int, value *yaml.Node, want string, hint func(got string) string) error {
	if value.Kind == yaml.AliasNode && value.Alias != nil {
		value = value.Alias
	}
	if value.Kind != yaml.ScalarNode || value.Tag == "!!null" {
		return fmt.Errorf("line %d: %s must be %q", line, key, want)
	}
	got := value.Value
	if got == want {
		return nil
	}
	if strings.EqualFold(strings.TrimSpace(got), want) {
		return fmt.Errorf("line %d: %s %q is not %q: it is case-sensitive and takes no spaces", line, key, got, want)
	}
	more := ""
	if hint != nil {
		more = hint(got)
	}
	return fmt.Errorf("line %d: unknown %s %q (this kubeguard reads %s)%s", line, key, got, want, more)
}

// versionHint says why a kubeguard.io version other than ours is refused.
func versionHint(got string) string {
	if strings.HasPrefix(got, Group+"/") {
		return ": a file written for a newer kubeguard needs that kubeguard"
	}
	return ""
}

// refuseMergedVersion refuses a merge key whose mappings carry apiVersion or kind.
func refuseMergedVersion(line int, value *yaml.Node) error {
	if value.Kind == yaml.AliasNode && value.Alias != nil {
		value = value.Alias
	}
	merged := []*yaml.Node{value}
	if value.Kind == yaml.SequenceNode {
		merged = value.Content
	}
	for _, m := range merged {
		if m.Kind == yaml.AliasNode && m.Alias != nil {
			m = m.Alias
		}
		if m.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if k := m.Content[i].Value; k == "apiVersion" || k == "kind" {
				return fmt.Errorf("line %d: %s is merged in with <<: write apiVersion and kind out at the top of the file", line, k)
			}
		}
	}
	return nil
}
