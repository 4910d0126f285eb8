package main

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The chart passes the container's memory limit in bytes; the Go runtime is told 85% of it, unless
// GOMEMLIMIT says otherwise.
func TestSetMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	for _, limit := range []string{"268435456", "256Mi"} {
		got, err := setMemoryLimit(limit, "")
		require.NoError(t, err, limit)
		assert.Equal(t, int64(228170137), got, limit)
		assert.Equal(t, int64(228170137), debug.SetMemoryLimit(-1), "the runtime has the limit")
	}

	debug.SetMemoryLimit(math.MaxInt64)
	got, err := setMemoryLimit("256Mi", "200MiB")
	require.NoError(t, err)
	assert.Zero(t, got, "GOMEMLIMIT wins")
	assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1))

	got, err = setMemoryLimit("", "")
	require.NoError(t, err)
	assert.Zero(t, got, "no limit, nothing set")
}
