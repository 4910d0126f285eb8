package framework

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// modulePath identifies the repository root among the go.mod files met while walking up: the tool
// modules under hack/tools have go.mod files of their own.
const modulePath = "github.com/kubeguard/kubeguard"

// RepoRoot returns the root of the kubeguard repository, found by walking up from the working
// directory to the go.mod that declares the kubeguard module. `go test` runs each package in its own
// directory, so this finds the root from any package at any depth.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if declaresModule(filepath.Join(dir, "go.mod"), modulePath) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod declaring module %s above the working directory; run from inside the kubeguard repository", modulePath)
		}
		dir = parent
	}
}

func declaresModule(goMod, module string) bool {
	f, err := os.Open(goMod)
	if err != nil {
		return false
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == module
		}
	}
	return false
}

// BinDir returns the repository's bin/ directory, where `make tools` and `make build` put binaries.
func BinDir() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "bin"), nil
}

// Binary returns the path of bin/<name>, or an error that says which make target builds it.
func Binary(name string) (string, error) {
	dir, err := BinDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%s is missing: run `%s` from the repository root to build it", path, buildTarget(name))
	}
	if err != nil {
		return "", err
	}
	if info.IsDir() || info.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s is not an executable file: run `%s` from the repository root to rebuild it", path, buildTarget(name))
	}
	return path, nil
}

func buildTarget(binary string) string {
	switch binary {
	case "kubeguard":
		return "make build"
	case "kubeguard-loadgen", "kubeguard-floor":
		// The benchmark's own programs (bench/), built by make bench before it runs.
		return "make bench"
	}
	return "make tools"
}
