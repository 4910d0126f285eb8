package main

import (
	"archive/tar"
	"bytes"
	"path"
	"strings"
	"time"
)

// executablePath is where the Dockerfile puts the binary; the same path keeps the two images
// interchangeable for anyone who overrides the entrypoint.
const executablePath = "/usr/local/bin/kubeguard"

// filesystem returns the image's only layer, uncompressed: the directories down to the binary and
// the binary itself. Every entry is owned by root, with fixed modes and the given time, in a fixed
// order, so that the same binary always gives the same bytes. Owned by root and not writable by the
// user the container runs as, the binary cannot be replaced from inside the container.
func filesystem(executable []byte, modTime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	name := strings.TrimPrefix(executablePath, "/")
	var dirs []string
	for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
		dirs = append([]string{dir + "/"}, dirs...)
	}
	for _, dir := range dirs {
		if err := w.WriteHeader(header(tar.TypeDir, dir, 0o755, 0, modTime)); err != nil {
			return nil, err
		}
	}
	if err := w.WriteHeader(header(tar.TypeReg, name, 0o755, int64(len(executable)), modTime)); err != nil {
		return nil, err
	}
	if _, err := w.Write(executable); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// header describes an entry owned by root with nothing that varies between machines: no user or
// group names, no access or change times (USTAR has none).
func header(kind byte, name string, mode, size int64, modTime time.Time) *tar.Header {
	return &tar.Header{
		Typeflag: kind,
		Name:     name,
		Mode:     mode,
		Size:     size,
		ModTime:  modTime.UTC().Truncate(time.Second),
		Format:   tar.FormatUSTAR,
	}
}
