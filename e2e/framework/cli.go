package framework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// CLI runs a command-line client (kubectl, helm) against the control plane, as a user would.
type CLI struct {
	// Path is the binary.
	Path string
	// Env is added to the environment of every run.
	Env []string
}

// Result is what a run printed and how it exited.
type Result struct {
	Args     []string
	Stdout   string
	Stderr   string
	ExitCode int
}

// String shows the whole run, for assertion messages.
func (r Result) String() string {
	return fmt.Sprintf("$ %s\nexit code: %d\n--- stdout\n%s--- stderr\n%s", strings.Join(r.Args, " "), r.ExitCode, r.Stdout, r.Stderr)
}

// Kubectl returns bin/kubectl using kubeconfig and nothing from the user's environment.
func Kubectl(kubeconfig string) (*CLI, error) {
	path, err := Binary("kubectl")
	if err != nil {
		return nil, err
	}
	return &CLI{Path: path, Env: []string{"KUBECONFIG=" + kubeconfig}}, nil
}

// Helm returns bin/helm using kubeconfig, with its configuration, cache and data kept under home so
// that runs neither read nor change the user's helm setup.
func Helm(kubeconfig, home string) (*CLI, error) {
	path, err := Binary("helm")
	if err != nil {
		return nil, err
	}
	return &CLI{Path: path, Env: []string{
		"KUBECONFIG=" + kubeconfig,
		"HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data"),
	}}, nil
}

// Run runs the client with args. A non-zero exit is a Result, not an error: tests assert on it. The
// error reports only a client that could not be run at all.
func (c *CLI) Run(ctx context.Context, args ...string) (Result, error) {
	return c.RunWithInput(ctx, nil, args...)
}

// RunWithInput runs the client with stdin (e.g. a manifest for `apply -f -`).
func (c *CLI) RunWithInput(ctx context.Context, stdin io.Reader, args ...string) (Result, error) {
	cmd := exec.CommandContext(ctx, c.Path, args...)
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Args: append([]string{filepath.Base(c.Path)}, args...), Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		res.ExitCode = exitErr.ExitCode()
	default:
		return res, fmt.Errorf("running %s: %w", strings.Join(res.Args, " "), err)
	}
	return res, nil
}
