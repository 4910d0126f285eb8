// Package testgolden compares what a test produced with a golden file under testdata, or rewrites that file
// when the test runs with -update, so that a change of words is seen, reviewed and accepted in one diff.
package testgolden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata from the current output")

// Updating reports whether this run rewrites the golden files instead of comparing with them.
func Updating() bool { return *update }

// Assert compares got with the golden file at path or, under -update, writes got there. rerun is the
// command that rewrites the files, named when they differ or are missing.
func Assert(t testing.TB, path, got, rerun string) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file %s missing: run %s", path, rerun)
	assert.Equal(t, string(want), got, "output differs from %s: if the change is intended, run %s", path, rerun)
}
