package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// archiveEntry is one file or directory of the archive; a directory's name ends in "/".
type archiveEntry struct {
	name string
	data []byte
}

// writeArchive writes the image as an OCI image layout (index.json, oci-layout, blobs/sha256/...)
// packed in a tar file at out, and returns the image's manifest digest. The index names the image by
// its tag (org.opencontainers.image.ref.name), which `skopeo copy oci-archive:FILE:TAG` and `oras cp
// --from-oci-layout DIR:TAG` select by. A Docker manifest.json next to it lets `docker load` read the
// same archive. The file is replaced only once complete.
func writeArchive(img v1.Image, out, repository, tag string) (v1.Hash, error) {
	digest, err := img.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	dir, err := os.MkdirTemp("", "kubeguard-image-")
	if err != nil {
		return v1.Hash{}, err
	}
	defer os.RemoveAll(dir)
	if err := writeLayout(img, dir, tag); err != nil {
		return v1.Hash{}, fmt.Errorf("writing the OCI layout: %w", err)
	}
	entries, err := readTree(dir)
	if err != nil {
		return v1.Hash{}, err
	}
	dockerManifest, err := dockerLoadManifest(img, repository+":"+tag)
	if err != nil {
		return v1.Hash{}, err
	}
	entries = append(entries, archiveEntry{name: "manifest.json", data: dockerManifest})
	slices.SortFunc(entries, func(a, b archiveEntry) int { return strings.Compare(a.name, b.name) })

	created, err := img.ConfigFile()
	if err != nil {
		return v1.Hash{}, err
	}
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, e := range entries {
		h := header(tar.TypeReg, e.name, 0o644, int64(len(e.data)), created.Created.Time)
		if strings.HasSuffix(e.name, "/") {
			h = header(tar.TypeDir, e.name, 0o755, 0, created.Created.Time)
		}
		if err := w.WriteHeader(h); err != nil {
			return v1.Hash{}, err
		}
		if _, err := w.Write(e.data); err != nil {
			return v1.Hash{}, err
		}
	}
	if err := w.Close(); err != nil {
		return v1.Hash{}, err
	}

	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return v1.Hash{}, err
	}
	partial := out + ".partial"
	if err := os.WriteFile(partial, buf.Bytes(), 0o644); err != nil {
		return v1.Hash{}, err
	}
	return digest, os.Rename(partial, out)
}

func writeLayout(img v1.Image, dir, tag string) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	return p.AppendImage(img,
		layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tag}),
		layout.WithPlatform(*cfg.Platform()),
	)
}

// readTree returns every file and directory under dir, named by their slash-separated path
// relative to it.
func readTree(dir string) ([]archiveEntry, error) {
	var entries []archiveEntry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if d.IsDir() {
			entries = append(entries, archiveEntry{name: name + "/"})
			return nil
		}
		data, err := os.ReadFile(p)
		entries = append(entries, archiveEntry{name: name, data: data})
		return err
	})
	return entries, err
}

// dockerLoadManifest is the manifest.json of `docker save`, pointing at the layout's blobs.
func dockerLoadManifest(img v1.Image, reference string) ([]byte, error) {
	config, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var layerPaths []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		layerPaths = append(layerPaths, blobPath(d))
	}
	return json.Marshal([]struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{{Config: blobPath(config), RepoTags: []string{reference}, Layers: layerPaths}})
}

func blobPath(h v1.Hash) string {
	return path.Join("blobs", h.Algorithm, h.Hex)
}
