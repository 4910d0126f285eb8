package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// dialError marks a request that never reached kubeguard: the connection or its TLS handshake failed.
type dialError struct{ error }

func (e dialError) Unwrap() error { return e.error }

// Stopping kubeguard under load fails no request it accepted: on SIGTERM it reports unready and closes each
// connection after its answer while it drains, then stops accepting, and every request it took is answered.
func TestShutdownUnderLoadFailsNoAcceptedRequest(t *testing.T) {
	k, err := framework.StartKubeguard(t.Context(), framework.KubeguardOptions{
		CertDir:   cluster.CertDir,
		Trust:     framework.CertPool(cluster.CA),
		Output:    testLog(t),
		ExtraArgs: []string{"--shutdown-delay", "2s"},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Stop() })
	body, err := os.ReadFile(filepath.Join("..", "bench", "webhook", "testdata", "pod-compliant.json"))
	require.NoError(t, err)

	tlsConfig := &tls.Config{RootCAs: framework.CertPool(cluster.CA), MinVersion: tls.VersionTLS12}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&tls.Dialer{Config: tlsConfig}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, dialError{err}
			}
			return conn, nil
		},
		MaxIdleConnsPerHost: 8,
	}}
	send := func() (closed bool, err error) {
		resp, err := client.Post(k.URL("/validate"), "application/json", bytes.NewReader(body))
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err == nil && (resp.StatusCode != http.StatusOK || !strings.Contains(string(data), `"allowed":true`)) {
			err = errors.New("unexpected answer: " + resp.Status + " " + string(data))
		}
		return resp.Close, err
	}

	// Load from eight clients until kubeguard has stopped.
	stopped := make(chan struct{})
	var mu sync.Mutex
	var answered, refusedAtDial int
	var failures []error
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stopped:
					return
				default:
				}
				_, err := send()
				mu.Lock()
				switch {
				case err == nil:
					answered++
				case errors.As(err, new(dialError)):
					refusedAtDial++
				default:
					failures = append(failures, fmt.Errorf("%s: %w", time.Now().Format("15:04:05.000"), err))
				}
				mu.Unlock()
			}
		}()
	}
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return answered > 50 }, 30*time.Second, 10*time.Millisecond, "load is running")

	t.Logf("SIGTERM at %s", time.Now().Format("15:04:05.000"))
	stopErr := make(chan error, 1)
	go func() { stopErr <- k.Stop() }()

	// While it drains, it is unready but still answers, closing each connection after its answer.
	readyz := &http.Client{Timeout: time.Second}
	require.Eventually(t, func() bool {
		resp, err := readyz.Get(k.HealthURL("/readyz"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode != http.StatusOK
	}, 5*time.Second, 10*time.Millisecond, "readiness turns false first")
	closed, err := send()
	require.NoError(t, err, "answered while draining")
	assert.True(t, closed, "the answer closes its connection")

	require.NoError(t, <-stopErr, "kubeguard exits on its own after SIGTERM")
	t.Logf("exited at %s", time.Now().Format("15:04:05.000"))
	close(stopped)
	wg.Wait()
	assert.Empty(t, failures, "requests that reached kubeguard and were not answered")
	assert.Greater(t, refusedAtDial, 0, "after the drain, new connections are refused")
	t.Logf("answered %d requests, %d refused at connect after the listener closed", answered, refusedAtDial)
}

type tlog struct{ t *testing.T }

func (l tlog) Write(p []byte) (int, error) { l.t.Logf("%s", p); return len(p), nil }
func testLog(t *testing.T) io.Writer       { return tlog{t} }
