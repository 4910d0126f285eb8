package framework

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRepoRootIsTheKubeguardModule(t *testing.T) {
	root, err := RepoRoot()
	require.NoError(t, err)
	assert.True(t, declaresModule(filepath.Join(root, "go.mod"), modulePath))
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "e2e", "framework"), wd)
}

func TestMissingBinarySaysHowToBuildIt(t *testing.T) {
	tests := []struct{ binary, target string }{
		{binary: "no-such-tool", target: "make tools"},
		{binary: "kubeguard", target: "make build"},
		{binary: "kubeguard-loadgen", target: "make bench"},
		{binary: "kubeguard-floor", target: "make bench"},
	}
	for _, tt := range tests {
		t.Run(tt.binary, func(t *testing.T) {
			dir, err := BinDir()
			require.NoError(t, err)
			if _, statErr := os.Stat(filepath.Join(dir, tt.binary)); statErr == nil {
				// Built: the message cannot be observed, but the target it would name can.
				assert.Equal(t, tt.target, buildTarget(tt.binary))
				return
			}
			_, err = Binary(tt.binary)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "run `"+tt.target+"`")
		})
	}
}
