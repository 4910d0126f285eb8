// Package procfs reads a process's CPU time and resident memory from Linux's /proc, so that a load
// generator reports what a request cost the server rather than the client.
package procfs

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Sample is what /proc tells about a process at one moment.
type Sample struct {
	// CPU is user plus system time, of every thread, since the process started.
	CPU time.Duration
	// PeakRSS (VmHWM) and RSS (VmRSS) are in bytes.
	PeakRSS, RSS int64
}

// clockTick is the unit of utime and stime in /proc/<pid>/stat. It is USER_HZ, which Linux fixes at 100 on
// every architecture in its user-space ABI, whatever the kernel's own tick rate.
const clockTick = 10 * time.Millisecond

// Read samples process pid; pid 0 means no server to watch.
func Read(pid int) (Sample, error) {
	if pid == 0 {
		return Sample{}, nil
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Sample{}, err
	}
	cpu, err := parseStatCPU(stat)
	if err != nil {
		return Sample{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Sample{}, err
	}
	s := Sample{CPU: cpu}
	if s.PeakRSS, err = statusKiB(status, "VmHWM"); err != nil {
		return Sample{}, fmt.Errorf("/proc/%d/status: %w", pid, err)
	}
	if s.RSS, err = statusKiB(status, "VmRSS"); err != nil {
		return Sample{}, fmt.Errorf("/proc/%d/status: %w", pid, err)
	}
	return s, nil
}

// parseStatCPU returns utime+stime from the contents of /proc/<pid>/stat.
func parseStatCPU(stat []byte) (time.Duration, error) {
	// The second field, the command name, is in parentheses and may itself hold spaces and parentheses: the
	// fields are counted from the last ')'.
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("no command name in %q", stat)
	}
	fields := strings.Fields(string(stat[end+1:]))
	// After the name come state (field 3) and so on: utime and stime are fields 14 and 15.
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("%d fields after the command name, want more than %d", len(fields), stime)
	}
	var ticks int64
	for _, f := range []string{fields[utime], fields[stime]} {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// statusKiB returns a "Name:   123 kB" line of /proc/<pid>/status in bytes.
func statusKiB(status []byte, name string) (int64, error) {
	for line := range strings.SplitSeq(string(status), "\n") {
		value, ok := strings.CutPrefix(line, name+":")
		if !ok {
			continue
		}
		kib, ok := strings.CutSuffix(strings.TrimSpace(value), " kB")
		if !ok {
			return 0, fmt.Errorf("%s: unexpected value %q", name, value)
		}
		n, err := strconv.ParseInt(kib, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		return n * 1024, nil
	}
	return 0, fmt.Errorf("no %s line", name)
}
