package framework

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Process is one control-plane component run from bin/ (kube-controller-manager, kube-scheduler,
// kwok), restartable with the same command line, ready once its health endpoint answers 200.
type Process struct {
	// Name is the binary's name in bin/.
	Name string
	// Args is the command line without the binary.
	Args []string
	// HealthURL answers 200 once the component serves; its certificate is self-signed.
	HealthURL string

	output io.Writer

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

// componentReadyTimeout bounds how long a component may take to answer its health check. The
// controller manager and the scheduler wait for the API server's informers to sync first.
const componentReadyTimeout = 90 * time.Second

// Start starts the process and waits until its health endpoint answers; it fails early when the
// process exits, with the reason found at the end of its log when the log is a file.
func (p *Process) Start(ctx context.Context) error {
	binary, err := Binary(p.Name)
	if err != nil {
		return err
	}
	p.mu.Lock()
	if p.cmd != nil && !p.hasExited() {
		p.mu.Unlock()
		return fmt.Errorf("%s is already running as pid %d", p.Name, p.cmd.Process.Pid)
	}
	cmd := exec.Command(binary, p.Args...)
	out := p.output
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		p.mu.Unlock()
		return fmt.Errorf("starting %s: %w", binary, err)
	}
	exited := make(chan struct{})
	p.cmd, p.exited, p.waitErr = cmd, exited, nil
	p.mu.Unlock()

	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.waitErr = err
		p.mu.Unlock()
		close(exited)
	}()
	if err := p.waitHealthy(ctx, exited); err != nil {
		_ = p.Stop()
		if f, ok := p.output.(*os.File); ok {
			return withLogTail(err, f.Name())
		}
		return err
	}
	return nil
}

func (p *Process) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

func (p *Process) waitHealthy(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, componentReadyTimeout)
	defer cancel()
	// The components serve their health checks with a certificate they sign themselves on loopback.
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback health check only
	}}
	for {
		err := GetOK(ctx, client, p.HealthURL)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			p.mu.Lock()
			waitErr := p.waitErr
			p.mu.Unlock()
			return fmt.Errorf("%s exited before becoming healthy: %v", p.Name, waitErr)
		case <-ctx.Done():
			return fmt.Errorf("%s not healthy at %s after %s: %w", p.Name, p.HealthURL, componentReadyTimeout, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// componentStopGrace is how long a component gets to exit after SIGTERM before it is killed.
const componentStopGrace = 20 * time.Second

// Stop sends SIGTERM and waits for the process to exit, killing it after componentStopGrace. It is
// safe on a process that never started or has exited.
func (p *Process) Stop() error {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
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
	case <-time.After(componentStopGrace):
		_ = cmd.Process.Kill()
		<-exited
		return fmt.Errorf("%s (pid %d) ignored SIGTERM for %s and was killed", p.Name, cmd.Process.Pid, componentStopGrace)
	}
}
