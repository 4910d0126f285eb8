package check

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// manifest is one object read from a file, as JSON, with where it came from.
type manifest struct {
	source   string // file path, or "-" for standard input
	document int    // 1-based document number within the file
	item     int    // 0-based index within a List, -1 when not from a List
	gvk      schema.GroupVersionKind
	json     []byte
}

// location names a manifest for messages: "app.yaml", "app.yaml#2", "list.yaml#1 items[3]".
func (m manifest) location(multiDoc bool) string {
	loc := m.source
	if multiDoc {
		loc = fmt.Sprintf("%s#%d", loc, m.document)
	}
	if m.item >= 0 {
		loc = fmt.Sprintf("%s items[%d]", loc, m.item)
	}
	return loc
}

// typeAndItems is what is read of every document before its kind is known.
type typeAndItems struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
}

// parseError names the file and document that could not be read.
type parseError struct {
	source   string
	document int
	err      error
}

func (e *parseError) Error() string {
	if e.document == 0 {
		return fmt.Sprintf("%s: %v", e.source, e.err)
	}
	return fmt.Sprintf("%s (document %d): %v", e.source, e.document, e.err)
}

// Files expands the paths given on the command line: files as given, directories recursively
// (only .yaml, .yml and .json files), "-" for standard input.
func Files(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		if p == "-" {
			files = append(files, p)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && isManifestName(path) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func isManifestName(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// readManifests splits one file into objects: every YAML document, and every item of a List. It returns the
// objects read, whether the file held several documents, and one error per document that could not be read.
func readManifests(source string, r io.Reader) ([]manifest, bool, []error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var out []manifest
	var errs []error
	docs := 0
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, &parseError{source: source, err: err})
			break
		}
		if isBlankDocument(doc) {
			continue
		}
		docs++
		ms, err := splitDocument(source, docs, doc)
		if err != nil {
			errs = append(errs, &parseError{source: source, document: docs, err: err})
			continue
		}
		out = append(out, ms...)
	}
	return out, docs > 1, errs
}

// isBlankDocument reports whether a document holds nothing but comments and white space.
func isBlankDocument(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' && !bytes.Equal(line, []byte("---")) {
			return false
		}
	}
	return true
}

func splitDocument(source string, document int, doc []byte) ([]manifest, error) {
	data, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	var head typeAndItems
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, &head); err != nil {
		return nil, fmt.Errorf("not a Kubernetes object: %w", err)
	}
	if head.Kind == "" || head.APIVersion == "" {
		return nil, errors.New("not a Kubernetes object: apiVersion and kind must be set")
	}
	gv, err := schema.ParseGroupVersion(head.APIVersion)
	if err != nil {
		return nil, err
	}
	gvk := gv.WithKind(head.Kind)
	if !isList(gvk, head.Items) {
		return []manifest{{source: source, document: document, item: -1, gvk: gvk, json: data}}, nil
	}
	var out []manifest
	for i, raw := range head.Items {
		ms, err := splitDocument(source, document, []byte(raw))
		if err != nil {
			return nil, fmt.Errorf("items[%d]: %w", i, err)
		}
		for j := range ms {
			ms[j].item = i
		}
		out = append(out, ms...)
	}
	return out, nil
}

// isList reports whether a document is a list of objects: a v1 List, or any kind "<Kind>List" with items.
func isList(gvk schema.GroupVersionKind, items []json.RawMessage) bool {
	return gvk.Kind == "List" || (strings.HasSuffix(gvk.Kind, "List") && items != nil)
}
