// Command image packs the kubeguard binary that `make build` produces into an OCI image layout
// archive, without a container engine, so that the image can be built on any machine with Go and
// pushed with crane, skopeo or oras. It is the counterpart of the repository's Dockerfile: the same
// file at the same path, the same user, entrypoint, command and ports, and no base image, because the
// binary is static and needs nothing from one.
//
// The archive depends only on its inputs: built twice from the same commit it has the same bytes, and
// so the image the same digest.
//
// Usage (see `make image`):
//
//	go run . -binary bin/kubeguard -out bin/kubeguard-image.tar -repository ghcr.io/kubeguard/kubeguard \
//	  -version v0.1.0 -revision "$(git rev-parse HEAD)" -created "$(git log -1 --format=%ct)" \
//	  -source https://github.com/kubeguard/kubeguard
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

// tagPattern is the syntax of an image tag (distribution's reference grammar): the version becomes
// the tag the archive names, so it must be one.
var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("image", flag.ContinueOnError)
	var (
		binary     = flags.String("binary", "", "the static kubeguard binary to pack")
		out        = flags.String("out", "", "the OCI image layout archive to write")
		repository = flags.String("repository", "", "repository the archive names the image by, e.g. ghcr.io/kubeguard/kubeguard")
		version    = flags.String("version", "", "kubeguard's version, also the image tag")
		revision   = flags.String("revision", "", "the commit the binary was built from")
		source     = flags.String("source", "", "URL of the source repository")
		created    = flags.Int64("created", -1, "creation time in seconds since the epoch; the commit's time keeps builds reproducible")
	)
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	for _, required := range []struct{ name, value string }{
		{"binary", *binary}, {"out", *out}, {"repository", *repository},
		{"version", *version}, {"revision", *revision}, {"source", *source},
	} {
		if required.value == "" {
			return fmt.Errorf("-%s is required", required.name)
		}
	}
	if !tagPattern.MatchString(*version) {
		return fmt.Errorf("-version %q is not a valid image tag (letters, digits, _ . -, at most 128, not starting with . or -)", *version)
	}
	if *created < 0 {
		return errors.New("-created is required: seconds since the epoch, e.g. the commit's time")
	}

	executable, err := os.ReadFile(*binary)
	if err != nil {
		return err
	}
	platform, err := staticPlatform(executable)
	if err != nil {
		return fmt.Errorf("%s: %w", *binary, err)
	}
	img, err := buildImage(imageSpec{
		executable: executable,
		platform:   platform,
		created:    time.Unix(*created, 0).UTC(),
		version:    *version,
		revision:   *revision,
		source:     *source,
	})
	if err != nil {
		return err
	}
	digest, err := writeArchive(img, *out, *repository, *version)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %s:%s (%s) %s\n", *out, *repository, *version, platform, digest)
	return nil
}
