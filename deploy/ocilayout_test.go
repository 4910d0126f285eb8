package deploy

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The OCI image layout and image specifications, as far as the tests read them. They are written
// here from the specifications, independently of the library that builds the image, so that the
// tests check the archive against the format rather than the builder against itself.

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations"`
	Platform    *struct {
		OS           string `json:"os"`
		Architecture string `json:"architecture"`
	} `json:"platform"`
}

type ociIndex struct {
	SchemaVersion int             `json:"schemaVersion"`
	MediaType     string          `json:"mediaType"`
	Manifests     []ociDescriptor `json:"manifests"`
}

type ociManifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	Config        ociDescriptor     `json:"config"`
	Layers        []ociDescriptor   `json:"layers"`
	Annotations   map[string]string `json:"annotations"`
}

type ociConfig struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Created      string `json:"created"`
	Config       struct {
		User         string              `json:"User"`
		Entrypoint   []string            `json:"Entrypoint"`
		Cmd          []string            `json:"Cmd"`
		Env          []string            `json:"Env"`
		ExposedPorts map[string]struct{} `json:"ExposedPorts"`
		Labels       map[string]string   `json:"Labels"`
	} `json:"config"`
	RootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

// dockerLoadEntry is one image of the manifest.json that `docker load` reads.
type dockerLoadEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// tarEntry is one entry of a tar stream, with its content.
type tarEntry struct {
	header tar.Header
	data   []byte
}

// ociArchive is an image layout archive, read and checked for integrity: every blob has the digest
// its name says and the size its descriptor says.
type ociArchive struct {
	entries  []tarEntry
	index    ociIndex
	manifest ociManifest
	config   ociConfig
	// layer is the image's only layer, uncompressed.
	layer []tarEntry
}

func readTar(t *testing.T, r io.Reader) []tarEntry {
	t.Helper()
	var entries []tarEntry
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return entries
		}
		require.NoError(t, err)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		entries = append(entries, tarEntry{header: *h, data: data})
	}
}

func (a *ociArchive) file(t *testing.T, name string) []byte {
	t.Helper()
	for _, e := range a.entries {
		if e.header.Name == name {
			return e.data
		}
	}
	require.Failf(t, "file missing from the archive", "%s", name)
	return nil
}

// blob returns the blob a descriptor points at, checking its digest and size.
func (a *ociArchive) blob(t *testing.T, d ociDescriptor) []byte {
	t.Helper()
	algorithm, encoded, ok := strings.Cut(d.Digest, ":")
	require.Truef(t, ok && algorithm == "sha256", "digest %q is not sha256:<hex>", d.Digest)
	data := a.file(t, "blobs/sha256/"+encoded)
	require.Equalf(t, d.Digest, sha256Digest(data), "blob %s does not have the content its name says", d.Digest)
	require.EqualValuesf(t, d.Size, len(data), "blob %s is not the size its descriptor says", d.Digest)
	return data
}

func sha256Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// readOCIArchive reads an image layout archive holding one single-layer image.
func readOCIArchive(t *testing.T, path string) *ociArchive {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	a := &ociArchive{entries: readTar(t, f)}

	require.JSONEq(t, `{"imageLayoutVersion": "1.0.0"}`, string(a.file(t, "oci-layout")))
	require.NoError(t, json.Unmarshal(a.file(t, "index.json"), &a.index))
	require.Len(t, a.index.Manifests, 1, "the index names one image")
	require.NoError(t, json.Unmarshal(a.blob(t, a.index.Manifests[0]), &a.manifest))
	require.NoError(t, json.Unmarshal(a.blob(t, a.manifest.Config), &a.config))
	require.Len(t, a.manifest.Layers, 1, "the image has one layer")

	compressed := a.blob(t, a.manifest.Layers[0])
	gz, err := gzip.NewReader(bytes.NewReader(compressed))
	require.NoError(t, err, "the layer is not gzip")
	uncompressed, err := io.ReadAll(gz)
	require.NoError(t, err)
	require.Equal(t, []string{sha256Digest(uncompressed)}, a.config.RootFS.DiffIDs, "rootfs.diff_ids must be the digest of the uncompressed layer")
	a.layer = readTar(t, bytes.NewReader(uncompressed))
	return a
}
