package main

import (
	"fmt"
	"runtime/debug"

	"k8s.io/apimachinery/pkg/api/resource"
)

// goMemoryShare is the share of the container's memory limit the Go runtime is told to keep under
// (debug.SetMemoryLimit, as GOMEMLIMIT does). The rest is for what the runtime does not count but the
// container's limit does: the kernel's socket buffers, the binary, the page cache of the files it reads.
// The chart passes the limit in bytes through the downward API; GOMEMLIMIT could take it from there too,
// but only whole, which would let the garbage collector wait until the kernel kills the process.
const goMemoryShare = 0.85

// setMemoryLimit sets the Go runtime's memory limit to goMemoryShare of limit (a quantity: bytes, or 256Mi)
// and returns it; it sets nothing when limit is empty or when GOMEMLIMIT (gomemlimit) is set, which the
// runtime has applied already.
func setMemoryLimit(limit, gomemlimit string) (int64, error) {
	if limit == "" || gomemlimit != "" {
		return 0, nil
	}
	q, err := resource.ParseQuantity(limit)
	if err != nil {
		return 0, err
	}
	bytes, ok := q.AsInt64()
	// Below 32 MiB kubeguard cannot even start its servers: such a limit is a mistake, not a bound.
	if !ok || bytes < 32<<20 {
		return 0, fmt.Errorf("%s: want at least 32Mi", limit)
	}
	goLimit := int64(float64(bytes) * goMemoryShare)
	debug.SetMemoryLimit(goLimit)
	return goLimit, nil
}
