package deploy

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// manifest is one object of a rendering.
type manifest struct {
	Kind, Name, Namespace string
	YAML                  []byte
}

// parseManifests splits helm's output into its objects, leaving out documents that hold only comments.
func parseManifests(t *testing.T, rendered string) []manifest {
	t.Helper()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(rendered)))
	var out []manifest
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		require.NoErrorf(t, yaml.Unmarshal(doc, &meta), "rendered document is not YAML:\n%s", doc)
		if meta.Kind == "" {
			continue
		}
		out = append(out, manifest{Kind: meta.Kind, Name: meta.Metadata.Name, Namespace: meta.Metadata.Namespace, YAML: doc})
	}
}

// ofKind returns the objects of one kind, in rendering order.
func ofKind(ms []manifest, kind string) []manifest {
	var out []manifest
	for _, m := range ms {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// only returns the single object of a kind, failing the test when there is not exactly one.
func only(t *testing.T, ms []manifest, kind string) manifest {
	t.Helper()
	found := ofKind(ms, kind)
	require.Lenf(t, found, 1, "want exactly one %s in the rendering", kind)
	return found[0]
}

// named returns the object of a kind with a name, failing the test when there is none.
func named(t *testing.T, ms []manifest, kind, name string) manifest {
	t.Helper()
	for _, m := range ofKind(ms, kind) {
		if m.Name == name {
			return m
		}
	}
	require.Failf(t, "object missing", "no %s named %q in the rendering", kind, name)
	return manifest{}
}

// decode reads an object into its Go type, rejecting fields the type does not have: a misspelt or
// misplaced field in a template fails here instead of being dropped silently.
func decode(t *testing.T, m manifest, into any) {
	t.Helper()
	require.NoErrorf(t, yaml.UnmarshalStrict(m.YAML, into), "%s %s:\n%s", m.Kind, m.Name, m.YAML)
}
