package framework

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// reaper kills etcd and kube-apiserver if the process that started them dies without stopping them:
// a panicking test or `go test -timeout` ends the test binary without running TestMain's cleanup, and
// envtest starts both in process groups of their own, so nothing else would stop them.
//
// It is a shell that waits for end-of-file on a pipe whose write end only this process holds; the
// kernel closes it when this process dies, however it dies.
type reaper struct {
	cmd  *exec.Cmd
	pipe *os.File
}

// startReaper watches this process's children running any of binaries.
func startReaper(binaries ...string) (*reaper, error) {
	pids := childrenRunning(binaries)
	if len(pids) == 0 {
		return &reaper{}, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/bin/sh", "-c", `cat >/dev/null; kill -KILL "$@" 2>/dev/null`, "kubeguard-e2e-reaper")
	cmd.Args = append(cmd.Args, pids...)
	cmd.Stdin = r
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	r.Close() // the reaper holds the read end; this process keeps only the write end
	return &reaper{cmd: cmd, pipe: w}, nil
}

// stop dismisses the reaper before an orderly shutdown, so it kills nothing.
func (r *reaper) stop() {
	if r == nil || r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	_ = r.pipe.Close()
}

// childrenRunning returns the pids of this process's children whose executable is one of binaries.
func childrenRunning(binaries []string) []string {
	self := strconv.Itoa(os.Getpid())
	statuses, _ := filepath.Glob("/proc/[0-9]*/status")
	var pids []string
	for _, status := range statuses {
		data, err := os.ReadFile(status)
		if err != nil || !hasParent(string(data), self) {
			continue
		}
		dir := filepath.Dir(status)
		exe, err := os.Readlink(filepath.Join(dir, "exe"))
		if err != nil {
			continue
		}
		for _, b := range binaries {
			if exe == b {
				pids = append(pids, filepath.Base(dir))
			}
		}
	}
	return pids
}

func hasParent(status, pid string) bool {
	for line := range strings.Lines(status) {
		if rest, ok := strings.CutPrefix(line, "PPid:"); ok {
			return strings.TrimSpace(rest) == pid
		}
	}
	return false
}
