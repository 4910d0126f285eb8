package e2e

import (
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// Certificates are rotated under load: kubeguard must pick up new files from --cert-dir without a
// restart, and no admission request may fail on the way, neither for a new serving certificate from
// the same CA nor for a move to a new CA (trusted by both CAs during the switch, as cert-manager's
// CA injector would do it).
func TestCertificateRotationUnderLoad(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, false)
	kg := cluster.Kubeguard
	pid := kg.Pid()
	load := startLoad(t, ns)

	t.Run("new serving certificate, same CA", func(t *testing.T) {
		serving, err := cluster.CA.IssueServing(framework.LoopbackHosts...)
		require.NoError(t, err)
		require.NoError(t, serving.WriteTo(cluster.CertDir))
		waitServing(t, kg, serving.Cert)
		reconnect(t, framework.CABundle(cluster.CA))
		load.waitFor(t, 20)
	})

	t.Run("new CA", func(t *testing.T) {
		newCA, err := framework.NewCA("kubeguard-ca-2")
		require.NoError(t, err)
		// Trust both CAs before the certificate changes, and drop the old one only after.
		cluster.Webhooks.CABundle = framework.CABundle(cluster.CA, newCA)
		require.NoError(t, cluster.Register(ctx))
		kg.SetTrust(framework.CertPool(cluster.CA, newCA))

		serving, err := newCA.IssueServing(framework.LoopbackHosts...)
		require.NoError(t, err)
		require.NoError(t, serving.WriteTo(cluster.CertDir))
		waitServing(t, kg, serving.Cert)
		reconnect(t, framework.CABundle(cluster.CA, newCA))
		load.waitFor(t, 20)

		// A changed caBundle makes new connections too.
		cluster.CA = newCA
		cluster.Webhooks.CABundle = newCA.CertPEM
		require.NoError(t, cluster.Register(ctx))
		kg.SetTrust(framework.CertPool(newCA))
		load.waitFor(t, 20)
	})

	sent, failures := load.stop()
	t.Logf("%d admission requests during the rotations", sent)
	// The first few failures tell the story; hundreds would drown it.
	assert.Empty(t, failures[:min(len(failures), 5)], "%d of %d admission requests failed during certificate rotation", len(failures), sent)
	assert.Equal(t, pid, kg.Pid(), "kubeguard was restarted")
	assert.True(t, kg.Running(), "kubeguard is not running")
}

// reconnect makes the API server open new connections to kubeguard, so that the requests that follow
// verify the certificate served now. The API server keeps connections to a webhook open and reuses
// them; it makes new ones only for a webhook client configuration it has not seen. So the caBundle is
// registered again, trusting the same CAs but with a fresh comment before the PEM blocks (which PEM
// parsers skip): a new configuration as far as the API server can tell.
func reconnect(t *testing.T, bundle []byte) {
	t.Helper()
	rotations++
	cluster.Webhooks.CABundle = append(fmt.Appendf(nil, "kubeguard e2e rotation %d\n", rotations), bundle...)
	require.NoError(t, cluster.Register(context.Background()))
}

// rotations numbers the reconnect calls, so that each registers a caBundle not seen before.
var rotations int

// waitServing waits until kubeguard presents want on its webhook port.
func waitServing(t *testing.T, kg *framework.Kubeguard, want *x509.Certificate) {
	t.Helper()
	require.Eventually(t, func() bool {
		got, err := kg.ServingCertificate(context.Background())
		return err == nil && got.SerialNumber.Cmp(want.SerialNumber) == 0
	}, time.Minute, 100*time.Millisecond, "kubeguard never served the new certificate")
}

// maxLoadRequests bounds the load loop whatever happens to the test.
const maxLoadRequests = 5000

// load sends admission requests through the API server until stopped: server-side dry-run creates
// that kubeguard must deny (non-compliant) or admit (compliant). Anything else is a failure, including
// a non-compliant pod admitted, which is how an unreachable webhook under failurePolicy Ignore would
// show.
type load struct {
	done chan struct{}
	wg   sync.WaitGroup

	mu       sync.Mutex
	sent     int
	failures []string
}

func startLoad(t *testing.T, ns string) *load {
	l := &load{done: make(chan struct{})}
	pods := cluster.ControlPlane.Client.CoreV1().Pods(ns)
	bad := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "load-bad"}, Spec: noncompliantPodSpec()}
	good := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "load-good"}, Spec: compliantPodSpec()}
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for i := 0; i < maxLoadRequests; i++ {
			select {
			case <-l.done:
				return
			default:
			}
			var failure string
			if i%2 == 0 {
				_, err := pods.Create(context.Background(), bad, dryRun)
				if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("admission webhook %q denied the request", framework.WebhookName)) {
					failure = fmt.Sprintf("request %d (non-compliant pod): want a denial by kubeguard, got %v", i, err)
				}
			} else if _, err := pods.Create(context.Background(), good, dryRun); err != nil {
				failure = fmt.Sprintf("request %d (compliant pod): %v", i, err)
			}
			l.mu.Lock()
			l.sent++
			if failure != "" {
				l.failures = append(l.failures, failure)
			}
			l.mu.Unlock()
			// Pacing, so the load leaves CPU to the rotation on a two-core machine.
			time.Sleep(10 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { l.stop() })
	return l
}

// waitFor waits until n more requests have been answered.
func (l *load) waitFor(t *testing.T, n int) {
	t.Helper()
	l.mu.Lock()
	target := l.sent + n
	l.mu.Unlock()
	require.Eventually(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.sent >= target
	}, time.Minute, 20*time.Millisecond, "the load stopped: it reached its bound of %d requests, or requests hang", maxLoadRequests)
}

// stop ends the load and returns how many requests were sent and which failed. It may be called twice.
func (l *load) stop() (int, []string) {
	select {
	case <-l.done:
	default:
		close(l.done)
	}
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent, l.failures
}
