package framework

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// KubeguardOptions configure StartKubeguard.
type KubeguardOptions struct {
	// CertDir holds tls.crt and tls.key. Required.
	CertDir string
	// ConfigFile is passed as --config when set.
	ConfigFile string
	// Trust verifies the serving certificate while waiting for readiness. Required: a webhook that
	// answers /readyz but presents a certificate the API server rejects is not ready.
	Trust *x509.CertPool
	// Output receives kubeguard's stdout and stderr; nil discards them.
	Output io.Writer
	// ExtraArgs are appended to the serve command line.
	ExtraArgs []string
}

// Kubeguard is a `kubeguard serve` subprocess listening on free loopback ports.
type Kubeguard struct {
	// Port serves the webhook over TLS; HealthPort serves /healthz and /readyz; MetricsPort serves /metrics.
	Port, HealthPort, MetricsPort int

	binary string
	opts   KubeguardOptions

	// mu guards opts, which SetConfig and SetTrust change between starts.
	mu sync.Mutex
	child
}

// readyTimeout bounds how long kubeguard may take to serve after starting.
const readyTimeout = 60 * time.Second

// StartKubeguard starts bin/kubeguard serve and waits until it is ready. The caller must Stop it.
func StartKubeguard(ctx context.Context, opts KubeguardOptions) (*Kubeguard, error) {
	if opts.CertDir == "" || opts.Trust == nil {
		return nil, errors.New("KubeguardOptions.CertDir and Trust are required")
	}
	binary, err := Binary("kubeguard")
	if err != nil {
		return nil, err
	}
	ports, err := FreePorts(3)
	if err != nil {
		return nil, err
	}
	k := &Kubeguard{Port: ports[0], HealthPort: ports[1], MetricsPort: ports[2], binary: binary, opts: opts, child: child{name: "kubeguard"}}
	if err := k.Start(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// Args returns the serve command line, without the binary.
func (k *Kubeguard) Args() []string {
	args := []string{"serve",
		"--host", "127.0.0.1",
		"--port", strconv.Itoa(k.Port),
		"--cert-dir", k.opts.CertDir,
		"--health-probe-bind-address", net.JoinHostPort("127.0.0.1", strconv.Itoa(k.HealthPort)),
		"--metrics-bind-address", net.JoinHostPort("127.0.0.1", strconv.Itoa(k.MetricsPort)),
		// No API server routes around a stopping test instance, so there is nothing to drain for;
		// ExtraArgs may set a delay of their own, the last one counts.
		"--shutdown-delay", "0s",
	}
	if k.opts.ConfigFile != "" {
		args = append(args, "--config", k.opts.ConfigFile)
	}
	return append(args, k.opts.ExtraArgs...)
}

// SetConfig changes the --config file the next Start passes; "" means the defaults. A running process
// keeps the configuration it started with: kubeguard reads it once.
func (k *Kubeguard) SetConfig(path string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.opts.ConfigFile = path
}

// Start starts the process on the ports chosen by StartKubeguard, so a restarted kubeguard is reached
// by the same webhook URL. It waits until kubeguard is ready.
func (k *Kubeguard) Start(ctx context.Context) error {
	k.mu.Lock()
	args, out := k.Args(), k.opts.Output
	k.mu.Unlock()
	exited, err := k.start(k.binary, args, out)
	if err != nil {
		return err
	}
	if err := k.waitReady(ctx, exited); err != nil {
		_ = k.Stop()
		return err
	}
	return nil
}

// waitReady polls /readyz and a TLS handshake that verifies the serving certificate, and fails early
// when the process exits (a bad flag or config exits at once).
func (k *Kubeguard) waitReady(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	readyz := fmt.Sprintf("http://127.0.0.1:%d/readyz", k.HealthPort)
	var lastErr error
	for {
		lastErr = k.probe(ctx, client, readyz)
		if lastErr == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("kubeguard %v exited before becoming ready: %v", k.Args(), k.exitError())
		case <-ctx.Done():
			return fmt.Errorf("kubeguard %v not ready after %s: %w", k.Args(), readyTimeout, lastErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (k *Kubeguard) probe(ctx context.Context, client *http.Client, readyz string) error {
	if err := GetOK(ctx, client, readyz); err != nil {
		return err
	}
	_, err := k.ServingCertificate(ctx)
	return err
}

// GetOK fetches url and fails unless the answer is 200 OK: a readiness probe.
func GetOK(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}

// ServingCertificate connects to the webhook port, verifies the certificate against Trust, and returns
// the certificate presented: tests use it to see when a rotated certificate is being served.
func (k *Kubeguard) ServingCertificate(ctx context.Context) (*x509.Certificate, error) {
	k.mu.Lock()
	trust := k.opts.Trust
	k.mu.Unlock()
	dialer := &tls.Dialer{Config: &tls.Config{RootCAs: trust, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}}
	dialCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := dialer.DialContext(dialCtx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(k.Port)))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState().PeerCertificates[0], nil
}

// SetTrust replaces the CAs used to verify the serving certificate, as after a CA rotation.
func (k *Kubeguard) SetTrust(pool *x509.CertPool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.opts.Trust = pool
}

// URL returns the webhook URL of path (e.g. "/validate") on this instance.
func (k *Kubeguard) URL(path string) string {
	return fmt.Sprintf("https://127.0.0.1:%d%s", k.Port, path)
}

// HealthURL returns the URL of path (e.g. "/readyz") on the health probe address.
func (k *Kubeguard) HealthURL(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", k.HealthPort, path)
}

// Pid returns the process ID of the current process, 0 before the first start.
func (k *Kubeguard) Pid() int { return k.pid() }

// Running reports whether the process is alive.
func (k *Kubeguard) Running() bool { return k.running() }

// stopGrace is how long kubeguard gets to drain after SIGTERM before it is killed.
const stopGrace = 15 * time.Second

// Stop sends SIGTERM, waits for the process to exit, and kills it if it has not within stopGrace. It
// returns nil when the process exits on its own after SIGTERM, whatever its exit status.
func (k *Kubeguard) Stop() error { return k.stop(stopGrace) }

// FreePorts returns n distinct TCP ports that are free on 127.0.0.1. They are held open until all are
// found, so the same port is never returned twice.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
