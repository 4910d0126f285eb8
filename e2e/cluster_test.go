package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// settleTimeout bounds how long the controllers, the scheduler and kwok may take to bring workloads
// to their desired state after a change.
const settleTimeout = 3 * time.Minute

// eventually polls check until it reports done, failing the test with check's last word on the
// state when timeout passes first.
func eventually(t *testing.T, timeout time.Duration, what string, check func() (done bool, state string)) {
	t.Helper()
	start := time.Now()
	deadline := time.After(timeout)
	poll := time.NewTicker(250 * time.Millisecond)
	defer poll.Stop()
	for {
		done, state := check()
		if done {
			t.Logf("%s: reached after %s", what, time.Since(start).Round(time.Millisecond))
			return
		}
		select {
		case <-deadline:
			require.FailNowf(t, "timed out", "%s: not reached within %s; last state: %s", what, timeout, state)
		case <-poll.C:
		}
	}
}

// waitForEnforcement polls until the namespace, once in dry-run, is enforced: the API server reads
// namespace labels from a cache, and a server-side dry-run of a non-compliant pod shows when it has
// caught up.
func waitForEnforcement(t *testing.T, ns string) {
	t.Helper()
	probe := manifestFile(t, "probe", workloads[0].build("probe", noncompliantPodSpec()))
	eventually(t, time.Minute, "namespace "+ns+" enforcing", func() (bool, string) {
		res := kubectl(t, "apply", "--dry-run=server", "-n", ns, "-f", probe)
		return res.ExitCode != 0, res.Stdout + res.Stderr
	})
}

// webhookRefusals returns the FailedCreate events in ns whose message names one of kubeguard's
// webhooks: a controller that could not create a pod or Job because of kubeguard.
func webhookRefusals(t *testing.T, ns string) []string {
	t.Helper()
	events, err := cluster.ControlPlane.Client.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{FieldSelector: "reason=FailedCreate"})
	require.NoError(t, err)
	var refusals []string
	for _, e := range events.Items {
		if strings.Contains(e.Message, framework.WebhookName) || strings.Contains(e.Message, framework.DryRunWebhookName) {
			refusals = append(refusals, fmt.Sprintf("%s/%s: %s", e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Message))
		}
	}
	return refusals
}

// fakeNodes returns the names of the cluster's nodes that kwok plays.
func fakeNodes(t *testing.T) []string {
	t.Helper()
	nodes, err := cluster.ControlPlane.Client.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	var names []string
	for _, n := range nodes.Items {
		if n.Annotations[framework.FakeNodeAnnotation] != "" {
			names = append(names, n.Name)
		}
	}
	return names
}

// livePods returns the pods of ns that are not terminating or finished.
func livePods(t *testing.T, ns string) []corev1.Pod {
	t.Helper()
	pods, err := cluster.ControlPlane.Client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	var live []corev1.Pod
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			live = append(live, p)
		}
	}
	return live
}

// metricsText reads the suite's kubeguard's /metrics.
func metricsText(ctx context.Context, t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/metrics", cluster.Kubeguard.MetricsPort), nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return string(body)
}

// admissionSample matches one sample of kubeguard_admission_requests_total.
var admissionSample = regexp.MustCompile(`^kubeguard_admission_requests_total\{([^}]*)\} (\S+)$`)

// admissionCount sums kubeguard_admission_requests_total over the samples carrying every label of
// want (e.g. decision="denied"), as kubeguard's /metrics reports it now.
func admissionCount(t *testing.T, want ...string) float64 {
	t.Helper()
	var sum float64
	for line := range strings.Lines(metricsText(context.Background(), t)) {
		m := admissionSample.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil || !hasLabels(m[1], want) {
			continue
		}
		v, err := strconv.ParseFloat(m[2], 64)
		require.NoError(t, err)
		sum += v
	}
	return sum
}

func hasLabels(labels string, want []string) bool {
	for _, w := range want {
		if !strings.Contains(labels, w) {
			return false
		}
	}
	return true
}
