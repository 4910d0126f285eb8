package main

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// architectures maps the ELF machine of a Linux binary to the architecture name images use (Go's
// GOARCH), for the architectures Kubernetes nodes run.
var architectures = map[elf.Machine]string{
	elf.EM_X86_64:  "amd64",
	elf.EM_AARCH64: "arm64",
	elf.EM_PPC64:   "ppc64le",
	elf.EM_S390:    "s390x",
	elf.EM_RISCV:   "riscv64",
}

// staticPlatform reads the platform of the image from the binary itself rather than from the machine
// that packs it, so that a cross-compiled binary gets the right one. It refuses a binary that needs a
// dynamic loader: the image has no libc and no loader, and such a binary would not start in it.
func staticPlatform(executable []byte) (v1.Platform, error) {
	f, err := elf.NewFile(bytes.NewReader(executable))
	if err != nil {
		return v1.Platform{}, fmt.Errorf("not a Linux executable: %w", err)
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return v1.Platform{}, errors.New("dynamically linked (it names an ELF interpreter): build it with CGO_ENABLED=0, as `make build` does")
		}
	}
	arch, ok := architectures[f.Machine]
	if !ok || (arch == "ppc64le" && f.ByteOrder.String() != "LittleEndian") {
		return v1.Platform{}, fmt.Errorf("unsupported architecture %s (%s)", f.Machine, f.ByteOrder)
	}
	return v1.Platform{OS: "linux", Architecture: arch}, nil
}
