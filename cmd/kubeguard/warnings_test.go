package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/rules"
)

// An unversioned configuration still works in every command, and each says it is deprecated: check,
// audit and rules on stderr (stdout stays the result), serve in its start-up log.
func TestUnversionedConfigIsWarnedAbout(t *testing.T) {
	dir := t.TempDir()
	unversioned := filepath.Join(dir, "unversioned.yaml")
	require.NoError(t, os.WriteFile(unversioned, []byte("mode: dry-run\n"), 0o600))
	versioned := filepath.Join("testdata", "check", "dry-run.yaml")
	noCluster := filepath.Join(dir, "no-kubeconfig")

	for name, args := range map[string][]string{
		"check": {"check", "--config", "CONFIG", filepath.Join(examplesDir, "pod-compliant.yaml")},
		"rules": {"rules", "--config", "CONFIG"},
		"audit": {"audit", "--config", "CONFIG", "--kubeconfig", noCluster},
		"serve": {"serve", "--config", "CONFIG", "--cert-dir", filepath.Join(dir, "no-certs"), "--port", "0",
			"--health-probe-bind-address", "127.0.0.1:0", "--metrics-bind-address", "0", "--shutdown-delay", "0s"},
	} {
		t.Run(name, func(t *testing.T) {
			withConfig := func(path string) []string {
				out := append([]string(nil), args...)
				out[2] = path
				return out
			}
			old := runCommand(t, "", withConfig(unversioned)...)
			current := runCommand(t, "", withConfig(versioned)...)

			assert.Equal(t, current.code, old.code, "the unversioned form loads like the versioned one: %s", old.stderr)
			assert.NotContains(t, old.stderr, "invalid configuration")
			assert.NotContains(t, old.stdout, "unversioned", "warnings go to stderr, never into the result")
			assert.NotContains(t, current.stderr, "unversioned")
			if name == "serve" {
				assert.Contains(t, old.stderr, `"msg":"configuration warning","config":"`+unversioned+`"`)
			} else {
				assert.Contains(t, old.stderr, fmt.Sprintf("kubeguard %s: warning: %s: ", name, unversioned))
			}
			assert.Contains(t, old.stderr, "unversioned form is deprecated")
			assert.Equal(t, 1, strings.Count(old.stderr, "unversioned form is deprecated"), "said once")
		})
	}
}

// The help of the commands that judge says what runs without a configuration file: the default profile's
// rules, counted from the registry.
func TestHelpSaysWhatTheDefaultEnforces(t *testing.T) {
	on := 0
	for _, r := range rules.All() {
		if r.On(rules.DefaultProfile, rules.Latest) {
			on++
		}
	}
	require.Less(t, on, len(rules.All()), "the default profile leaves some rules off")
	want := fmt.Sprintf("the %s profile: %d of the %d rules enforced, the others off", rules.DefaultProfile, on, len(rules.All()))
	for _, command := range []string{"serve", "check", "audit"} {
		t.Run(command, func(t *testing.T) {
			r := runCommand(t, "", command, "--help")
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, want)
			assert.NotContains(t, r.stderr, "every rule enforced")
			assertGolden(t, "help-"+command+".txt", r.stderr)
		})
	}
}
