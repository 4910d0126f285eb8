package framework

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// child is a process run from bin/ that can be stopped and started again with a new command line: kubeguard
// and the control-plane components the tests restart.
type child struct {
	// name is how messages call the process.
	name string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

// start runs binary with args, its output to out (discarded when nil), and returns a channel closed when
// it exits. It refuses to start a second process while one runs.
func (c *child) start(binary string, args []string, out io.Writer) (<-chan struct{}, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil && !c.hasExited() {
		return nil, fmt.Errorf("%s is already running as pid %d", c.name, c.cmd.Process.Pid)
	}
	cmd := exec.Command(binary, args...)
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", binary, err)
	}
	exited := make(chan struct{})
	c.cmd, c.exited, c.waitErr = cmd, exited, nil
	go func() {
		err := cmd.Wait()
		c.mu.Lock()
		c.waitErr = err
		c.mu.Unlock()
		close(exited)
	}()
	return exited, nil
}

// hasExited reports whether the current process has exited; c.mu must be held.
func (c *child) hasExited() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// running reports whether the process is alive.
func (c *child) running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmd != nil && !c.hasExited()
}

// pid returns the process ID of the current process, 0 before the first start.
func (c *child) pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil || c.cmd.Process == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

// exitError is how the last process ended.
func (c *child) exitError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waitErr
}

// stop sends SIGTERM, waits for the process to exit, and kills it if it has not within grace. It returns
// nil when the process exits on its own after SIGTERM, whatever its exit status, and when there is no
// process to stop.
func (c *child) stop(grace time.Duration) error {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-exited:
		return nil
	default:
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-exited:
		return nil
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-exited
		return fmt.Errorf("%s (pid %d) ignored SIGTERM for %s and was killed", c.name, cmd.Process.Pid, grace)
	}
}
