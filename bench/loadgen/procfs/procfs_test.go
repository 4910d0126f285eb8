package procfs

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStatCPU(t *testing.T) {
	// A command name with spaces and parentheses must not shift the fields; utime is 1234, stime 66.
	stat := "4242 (kube (guard) x) S 1 4242 4242 0 -1 4194560 3010 0 0 0 1234 66 0 0 20 0 9 0 6102 1326387200 7462 18446744073709551615\n"
	cpu, err := parseStatCPU([]byte(stat))
	require.NoError(t, err)
	assert.Equal(t, 13*time.Second, cpu)

	_, err = parseStatCPU([]byte("4242 (short) S 1 2"))
	assert.Error(t, err)
}

func TestStatusKiB(t *testing.T) {
	status := []byte("Name:\tkubeguard\nVmPeak:\t 1300000 kB\nVmHWM:\t   31232 kB\nVmRSS:\t   30000 kB\n")
	hwm, err := statusKiB(status, "VmHWM")
	require.NoError(t, err)
	assert.Equal(t, int64(31232*1024), hwm)

	_, err = statusKiB(status, "VmSwap")
	assert.Error(t, err)
}

func TestReadProcOfThisProcess(t *testing.T) {
	s, err := Read(os.Getpid())
	require.NoError(t, err)
	assert.Positive(t, s.PeakRSS)
	assert.GreaterOrEqual(t, s.PeakRSS, s.RSS)

	none, err := Read(0)
	require.NoError(t, err)
	assert.Equal(t, Sample{}, none)
}
