package framework

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
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
	child
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
	p.child.name = p.Name
	exited, err := p.start(binary, p.Args, p.output)
	if err != nil {
		return err
	}
	if err := p.waitHealthy(ctx, exited); err != nil {
		_ = p.Stop()
		if f, ok := p.output.(*os.File); ok {
			return withLogTail(err, f.Name())
		}
		return err
	}
	return nil
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
			return fmt.Errorf("%s exited before becoming healthy: %v", p.Name, p.exitError())
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
func (p *Process) Stop() error { return p.stop(componentStopGrace) }
