package framework

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// Process is one server run from bin/, restartable with the same command line, ready once its health
// endpoint answers 200: the control-plane components (kube-controller-manager, kube-scheduler, kwok) and
// the servers the benchmark starts beside kubeguard (the Pod Security webhook, kubeguard --profiling).
type Process struct {
	// Name is the binary's name in bin/.
	Name string
	// Args is the command line without the binary.
	Args []string
	// HealthURL answers 200 once the process serves.
	HealthURL string
	// Trust verifies HealthURL's certificate. Nil accepts any: the components sign their own on loopback.
	Trust *x509.CertPool
	// Output receives the process's stdout and stderr; nil discards them. When it is a file, a failed
	// start quotes the file's last lines.
	Output io.Writer

	child
}

// componentReadyTimeout bounds how long a process may take to answer its health check. The controller
// manager and the scheduler wait for the API server's informers to sync first, the Pod Security webhook
// for its namespace informer.
const componentReadyTimeout = 90 * time.Second

// Start starts the process and waits until its health endpoint answers; it fails early when the
// process exits, with the reason found at the end of its log when the log is a file.
func (p *Process) Start(ctx context.Context) error {
	binary, err := Binary(p.Name)
	if err != nil {
		return err
	}
	p.child.name = p.Name
	exited, err := p.start(binary, p.Args, p.Output)
	if err != nil {
		return err
	}
	if err := p.waitHealthy(ctx, exited); err != nil {
		_ = p.Stop()
		if f, ok := p.Output.(*os.File); ok {
			return withLogTail(err, f.Name())
		}
		return err
	}
	return nil
}

func (p *Process) waitHealthy(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, componentReadyTimeout)
	defer cancel()
	tlsConfig := &tls.Config{RootCAs: p.Trust, MinVersion: tls.VersionTLS12}
	if p.Trust == nil {
		// The components serve their health checks with a certificate they sign themselves on loopback.
		tlsConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // loopback health check only
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConfig}}
	defer client.CloseIdleConnections()
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

// Pid is the process ID of the running process, 0 before the first start.
func (p *Process) Pid() int { return p.pid() }
