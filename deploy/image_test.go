package deploy

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// imageVersion is the version the test builds the image with, to see it arrive in the binary, the
// labels and the tag.
const imageVersion = "v0.0.0-image-test"

// TestImage builds the image as users do, with `make image`, twice and each time into a fresh
// directory, then reads the archive as the OCI specifications describe it and runs the binary it
// holds. It fails, never skips, when the image cannot be built: make's output says why.
func TestImage(t *testing.T) {
	root, err := framework.RepoRoot()
	require.NoError(t, err)
	first := makeImage(t, root)
	second := makeImage(t, root)
	archive := readOCIArchive(t, first.archive)
	digest := archive.index.Manifests[0].Digest

	t.Run("the same commit gives the same digest", func(t *testing.T) {
		again := readOCIArchive(t, second.archive)
		assert.Equal(t, digest, again.index.Manifests[0].Digest, "the manifest digest differs between two builds")
		assert.Equal(t, entryDigests(archive), entryDigests(again), "the archives differ between two builds")
		firstBytes, err := os.ReadFile(first.archive)
		require.NoError(t, err)
		secondBytes, err := os.ReadFile(second.archive)
		require.NoError(t, err)
		assert.Equal(t, sha256Digest(firstBytes), sha256Digest(secondBytes), "the archive files differ between two builds")
	})

	t.Run("archive", func(t *testing.T) {
		created := commitTime(t, root)
		var names []string
		for _, e := range archive.entries {
			names = append(names, e.header.Name)
			assert.Zerof(t, e.header.Uid, "%s: owner", e.header.Name)
			assert.Zerof(t, e.header.Gid, "%s: group", e.header.Name)
			assert.Truef(t, e.header.ModTime.Equal(created), "%s: time %s, want the commit's %s", e.header.Name, e.header.ModTime, created)
		}
		assert.True(t, slices.IsSorted(names), "entries are not in sorted order: %q", names)
		assert.Contains(t, names, "index.json")
		assert.Contains(t, names, "oci-layout")
	})

	t.Run("index", func(t *testing.T) {
		assert.Equal(t, 2, archive.index.SchemaVersion)
		assert.Equal(t, "application/vnd.oci.image.index.v1+json", archive.index.MediaType)
		desc := archive.index.Manifests[0]
		assert.Equal(t, "application/vnd.oci.image.manifest.v1+json", desc.MediaType)
		assert.Equal(t, imageVersion, desc.Annotations["org.opencontainers.image.ref.name"], "the tag skopeo and oras select the image by")
		require.NotNil(t, desc.Platform)
		assert.Equal(t, "linux", desc.Platform.OS)
		assert.Equal(t, runtime.GOARCH, desc.Platform.Architecture)
	})

	t.Run("manifest", func(t *testing.T) {
		assert.Equal(t, 2, archive.manifest.SchemaVersion)
		assert.Equal(t, "application/vnd.oci.image.manifest.v1+json", archive.manifest.MediaType)
		assert.Equal(t, "application/vnd.oci.image.config.v1+json", archive.manifest.Config.MediaType)
		assert.Equal(t, "application/vnd.oci.image.layer.v1.tar+gzip", archive.manifest.Layers[0].MediaType)
		assert.Equal(t, archive.config.Config.Labels, archive.manifest.Annotations, "the manifest annotations repeat the labels")
	})

	t.Run("config", func(t *testing.T) {
		cfg := archive.config
		assert.Equal(t, "linux", cfg.OS)
		assert.Equal(t, runtime.GOARCH, cfg.Architecture)
		assert.Equal(t, "65532:65532", cfg.Config.User, "the chart's runAsNonRoot needs a numeric non-root user")
		assert.Equal(t, []string{"/usr/local/bin/kubeguard"}, cfg.Config.Entrypoint)
		assert.Equal(t, []string{"serve"}, cfg.Config.Cmd)
		assert.Equal(t, commitTime(t, root).Format(time.RFC3339), cfg.Created)
		assert.Equal(t, map[string]string{
			"org.opencontainers.image.title":       "kubeguard",
			"org.opencontainers.image.description": "Validating admission webhook that enforces AKS cluster-security practices",
			"org.opencontainers.image.version":     imageVersion,
			"org.opencontainers.image.revision":    gitOutput(t, root, "rev-parse", "HEAD"),
			"org.opencontainers.image.source":      "https://github.com/kubeguard/kubeguard",
			"org.opencontainers.image.created":     cfg.Created,
		}, cfg.Config.Labels)
	})

	t.Run("config follows the Dockerfile", func(t *testing.T) {
		want := readDockerfile(t, filepath.Join(root, "Dockerfile"))
		cfg := archive.config.Config
		assert.Equal(t, want.user, cfg.User, "USER")
		assert.Equal(t, want.entrypoint, cfg.Entrypoint, "ENTRYPOINT")
		assert.Equal(t, want.cmd, cfg.Cmd, "CMD")
		var ports []string
		for port := range cfg.ExposedPorts {
			ports = append(ports, strings.TrimSuffix(port, "/tcp"))
		}
		assert.ElementsMatch(t, want.expose, ports, "EXPOSE")
		assert.Equal(t, []string{want.copyTo}, regularFiles(archive.layer), "COPY: where the binary is")
	})

	t.Run("filesystem is the binary alone", func(t *testing.T) {
		created := commitTime(t, root)
		var names []string
		for _, e := range archive.layer {
			names = append(names, e.header.Name)
			assert.Zerof(t, e.header.Uid, "%s: owned by root, so the container's user cannot change it", e.header.Name)
			assert.Zerof(t, e.header.Gid, "%s: group", e.header.Name)
			assert.Truef(t, e.header.ModTime.Equal(created), "%s: time %s, want the commit's %s", e.header.Name, e.header.ModTime, created)
		}
		assert.Equal(t, []string{"usr/", "usr/local/", "usr/local/bin/", "usr/local/bin/kubeguard"}, names)
		assert.NotContains(t, names, "bin/sh", "the image must have no shell")
		binary := archive.layer[len(archive.layer)-1]
		assert.Equal(t, int64(0o755), binary.header.Mode)
		built, err := os.ReadFile(first.binary)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(built, binary.data), "the image's binary is not the one `make build` wrote")
	})

	t.Run("the binary names no build machine", func(t *testing.T) {
		binary := archive.layer[len(archive.layer)-1].data
		assert.False(t, bytes.Contains(binary, []byte(root)), "the binary contains the checkout's path %s: build it with -trimpath", root)
		f, err := elf.NewFile(bytes.NewReader(binary))
		require.NoError(t, err)
		defer f.Close()
		assert.Nil(t, f.Section(".note.go.buildid"), "the binary carries a Go build ID: link it with -buildid=")
		for _, prog := range f.Progs {
			assert.NotEqual(t, elf.PT_INTERP, prog.Type, "the binary is dynamically linked: build it with CGO_ENABLED=0")
		}
	})

	t.Run("the binary runs and reports its version", func(t *testing.T) {
		binary := archive.layer[len(archive.layer)-1]
		path := filepath.Join(t.TempDir(), "kubeguard")
		require.NoError(t, os.WriteFile(path, binary.data, 0o755))
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, path, "version").CombinedOutput()
		require.NoError(t, err, string(out))
		assert.Equal(t, "kubeguard "+imageVersion+"\n", string(out))
	})

	t.Run("docker load manifest", func(t *testing.T) {
		var images []dockerLoadEntry
		require.NoError(t, json.Unmarshal(archive.file(t, "manifest.json"), &images))
		require.Len(t, images, 1)
		assert.Equal(t, []string{"ghcr.io/kubeguard/kubeguard:" + imageVersion}, images[0].RepoTags)
		assert.Equal(t, blobPath(archive.manifest.Config.Digest), images[0].Config)
		assert.Equal(t, []string{blobPath(archive.manifest.Layers[0].Digest)}, images[0].Layers)
	})
}

// builtImage is what one `make image` wrote.
type builtImage struct{ archive, binary string }

// makeImage runs `make image` with bin/ in a fresh directory, so that the test neither reuses nor
// replaces what is in the repository's bin/.
func makeImage(t *testing.T, root string) builtImage {
	t.Helper()
	bin := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", root, "image", "BIN="+bin, "VERSION="+imageVersion)
	// A make running this test passes its own variables down through the environment; the image
	// must come from the variables above and the repository alone.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "SOURCE_DATE_EPOCH", "REVISION"}, name)
	})
	out, err := cmd.CombinedOutput()
	require.NoErrorf(t, err, "`make image` could not build the image:\n%s", out)
	built := builtImage{archive: filepath.Join(bin, "kubeguard-image.tar"), binary: filepath.Join(bin, "kubeguard")}
	require.FileExistsf(t, built.archive, "`make image` succeeded without writing the archive:\n%s", out)
	return built
}

// entryDigests names each entry of an archive with the digest of its content, for a readable
// difference when two builds differ.
func entryDigests(a *ociArchive) []string {
	var out []string
	for _, e := range a.entries {
		out = append(out, e.header.Name+" "+sha256Digest(e.data))
	}
	return out
}

func regularFiles(entries []tarEntry) []string {
	var files []string
	for _, e := range entries {
		if e.header.Typeflag != tar.TypeDir {
			files = append(files, "/"+e.header.Name)
		}
	}
	return files
}

func blobPath(digest string) string {
	algorithm, encoded, _ := strings.Cut(digest, ":")
	return path.Join("blobs", algorithm, encoded)
}

func gitOutput(t *testing.T, root string, args ...string) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "git", append([]string{"-C", root}, args...)...).Output()
	require.NoErrorf(t, err, "git %s", strings.Join(args, " "))
	return strings.TrimSpace(string(out))
}

func commitTime(t *testing.T, root string) time.Time {
	t.Helper()
	seconds, err := strconv.ParseInt(gitOutput(t, root, "log", "-1", "--format=%ct"), 10, 64)
	require.NoError(t, err)
	return time.Unix(seconds, 0).UTC()
}

// dockerfileImage is what the Dockerfile's final stage says about the image.
type dockerfileImage struct {
	user            string
	entrypoint, cmd []string
	expose          []string
	copyTo          string
}

// readDockerfile reads the instructions of the Dockerfile's last stage that the image built without
// Docker must match. It knows only the forms the Dockerfile uses: exec-form ENTRYPOINT and CMD, one
// COPY of the binary.
func readDockerfile(t *testing.T, file string) dockerfileImage {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var img dockerfileImage
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		instruction, args, _ := strings.Cut(strings.TrimSpace(scanner.Text()), " ")
		switch strings.ToUpper(instruction) {
		case "FROM":
			img = dockerfileImage{}
		case "USER":
			img.user = args
		case "ENTRYPOINT":
			require.NoError(t, json.Unmarshal([]byte(args), &img.entrypoint), "ENTRYPOINT is not in exec form")
		case "CMD":
			require.NoError(t, json.Unmarshal([]byte(args), &img.cmd), "CMD is not in exec form")
		case "EXPOSE":
			img.expose = strings.Fields(args)
		case "COPY":
			fields := strings.Fields(args)
			img.copyTo = fields[len(fields)-1]
		}
	}
	require.NoError(t, scanner.Err())
	require.NotEmpty(t, img.user, "the Dockerfile's last stage has no USER")
	require.NotEmpty(t, img.copyTo, "the Dockerfile's last stage has no COPY")
	return img
}
