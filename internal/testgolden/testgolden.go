// Package testgolden compares what a test produced with a golden file under testdata, or rewrites that file
// when the test runs with -update, so that a change of words is seen, reviewed and accepted in one diff.
package testgolden

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata from the current output")

// used holds the paths, cleaned, of the golden files this run compared or wrote.
var used sync.Map

// Updating reports whether this run rewrites the golden files instead of comparing with them.
func Updating() bool { return *update }

// Assert compares got with the golden file at path or, under -update, writes got there. rerun is the
// command that rewrites the files, named when they differ or are missing.
func Assert(t testing.TB, path, got, rerun string) {
	t.Helper()
	used.Store(filepath.Clean(path), true)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file %s missing: run %s", path, rerun)
	assert.Equal(t, string(want), got, "output differs from %s: if the change is intended, run %s", path, rerun)
}

// CheckUnused, called from TestMain after the tests passed, fails the run (returns 1) when a file under dir
// was compared by no Assert of this run: the golden file of a renamed or deleted case, which would otherwise
// go stale unseen. Under -update it removes such files instead. A run of some tests (-run, -skip) cannot
// tell, and checks nothing.
func CheckUnused(dir, rerun string) int {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f == nil || f.Value.String() != "" {
			return 0
		}
	}
	code := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if _, ok := used.Load(filepath.Clean(path)); ok {
			return nil
		}
		if *update {
			return os.Remove(path)
		}
		fmt.Fprintf(os.Stderr, "golden file %s belongs to no test: remove it, or run %s\n", path, rerun)
		code = 1
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return code
}
