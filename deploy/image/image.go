package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// imageSpec is everything the image is made of; nothing else (no clock, no host name, no path)
// reaches it.
type imageSpec struct {
	executable []byte
	platform   v1.Platform
	created    time.Time
	version    string
	revision   string
	source     string
}

// nonroot is the UID and GID of distroless' nonroot user, which the Dockerfile's image runs as and
// the chart's securityContext expects. Numeric, so that runAsNonRoot can verify it without an
// /etc/passwd in the image.
const nonroot = "65532:65532"

// buildImage assembles a single-layer OCI image around the binary. Its configuration follows the
// Dockerfile: user, entrypoint, default command and exposed ports.
func buildImage(spec imageSpec) (v1.Image, error) {
	fs, err := filesystem(spec.executable, spec.created)
	if err != nil {
		return nil, fmt.Errorf("writing the layer: %w", err)
	}
	layer, err := tarball.LayerFromOpener(
		func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(fs)), nil },
		tarball.WithMediaType(types.OCILayer),
		tarball.WithCompressionLevel(gzip.BestCompression),
		// The layer is compressed once for its digest and again when written; caching the
		// compressed bytes saves the second pass over the binary.
		tarball.WithCompressedCaching,
	)
	if err != nil {
		return nil, fmt.Errorf("compressing the layer: %w", err)
	}

	created := v1.Time{Time: spec.created}
	labels := imageLabels(spec)
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.ConfigFile(img, &v1.ConfigFile{
		Architecture: spec.platform.Architecture,
		OS:           spec.platform.OS,
		Created:      created,
		RootFS:       v1.RootFS{Type: "layers"},
		Config: v1.Config{
			User:       nonroot,
			Entrypoint: []string{executablePath},
			Cmd:        []string{"serve"},
			Env:        []string{"PATH=/usr/local/bin"},
			// Webhook (TLS), health probes, metrics: the defaults of `kubeguard serve`.
			ExposedPorts: map[string]struct{}{"9443/tcp": {}, "8081/tcp": {}, "8080/tcp": {}},
			Labels:       labels,
		},
	})
	if err != nil {
		return nil, err
	}
	img, err = mutate.Append(img, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   created,
			CreatedBy: "COPY kubeguard " + executablePath,
			Comment:   "kubeguard " + spec.version,
		},
	})
	if err != nil {
		return nil, err
	}
	// The same labels as manifest annotations, which registries show without fetching the config.
	annotated, ok := mutate.Annotations(img, labels).(v1.Image)
	if !ok {
		return nil, fmt.Errorf("annotating the manifest did not give an image")
	}
	return annotated, nil
}

// imageLabels are the OCI pre-defined annotation keys that say what the image is and where it
// comes from.
func imageLabels(spec imageSpec) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       "kubeguard",
		"org.opencontainers.image.description": "Validating admission webhook that enforces AKS cluster-security practices",
		"org.opencontainers.image.version":     spec.version,
		"org.opencontainers.image.revision":    spec.revision,
		"org.opencontainers.image.source":      spec.source,
		"org.opencontainers.image.created":     spec.created.UTC().Format(time.RFC3339),
	}
}
