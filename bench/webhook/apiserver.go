package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// The webhook settings the API server is measured with, in the order of every round.
const (
	noWebhook  = "no webhook"
	psaWebhook = "Pod Security webhook"
)

// psaConfigurationName is the ValidatingWebhookConfiguration that registers the Pod Security webhook
// exactly as kubeguard is registered: same rules, selectors, failurePolicy and timeout.
const psaConfigurationName = "pod-security-webhook"

// parkedGate keeps the benchmark's pods unscheduled: the scheduler and kwok leave them alone, so the
// figure is the create request alone, and they are deleted at once afterwards.
const parkedGate = "bench.kubeguard.io/parked"

// apiServerRow is the pod-create latency through the API server at one client count, for each
// webhook setting, the median of the rounds.
type apiServerRow struct {
	Clients  int                         `json:"clients"`
	Settings map[string]apiServerFigures `json:"settings"`
}

type apiServerFigures struct {
	P50Millis  float64 `json:"p50Millis"`
	P99Millis  float64 `json:"p99Millis"`
	Throughput float64 `json:"createsPerSecond"`
	// Creates and Errors add up every round.
	Creates int `json:"creates"`
	Errors  int `json:"errors"`
}

// measureAPIServer creates compliant pods through the API server, from each number of concurrent
// clients, with no webhook, with kubeguard, and with the Pod Security webhook registered in its place.
func measureAPIServer(ctx context.Context, c *framework.Cluster, e *env, s *settings, progress io.Writer) (_ []apiServerRow, err error) {
	pod, err := parkedPod(filepath.Join(e.testdata, "manifests", "pod-compliant.yaml"))
	if err != nil {
		return nil, err
	}
	psa, err := e.startPSA(ctx, "apiserver")
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, psa.stop()) }()
	psaCA, err := os.ReadFile(e.caFile)
	if err != nil {
		return nil, err
	}
	registrations := map[string]*framework.WebhookOptions{
		noWebhook:     nil,
		kubeguardName: &c.Webhooks,
		psaWebhook: {
			Name:          psaConfigurationName,
			BaseURL:       strings.TrimSuffix(psa.url, framework.ValidatePath),
			CABundle:      psaCA,
			FailurePolicy: admissionregistrationv1.Fail,
		},
	}
	defer func() { err = errors.Join(err, register(context.WithoutCancel(ctx), c, &c.Webhooks)) }()

	// client-go's default rate limit (5 per second) would measure itself: lift it.
	cfg := rest.CopyConfig(c.ControlPlane.Config)
	cfg.QPS, cfg.Burst = 1e6, 1e6
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}

	var rows []apiServerRow
	for _, clients := range s.apiServerClients {
		rounds := map[string][]creates{}
		for round := 1; round <= s.rounds; round++ {
			for _, setting := range []string{noWebhook, kubeguardName, psaWebhook} {
				if err := register(ctx, c, registrations[setting]); err != nil {
					return nil, fmt.Errorf("registering %s: %w", setting, err)
				}
				fmt.Fprintf(progress, "bench: pod creates through the API server, %s, %d clients, round %d/%d\n", setting, clients, round, s.rounds)
				if _, err := createPods(ctx, client, pod, clients, s.warmup); err != nil {
					return nil, err
				}
				res, err := createPods(ctx, client, pod, clients, s.apiServerDuration)
				if err != nil {
					return nil, err
				}
				rounds[setting] = append(rounds[setting], res)
			}
		}
		row := apiServerRow{Clients: clients, Settings: map[string]apiServerFigures{}}
		for setting, rs := range rounds {
			row.Settings[setting] = summarizeCreates(rs)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// parkedPod reads the benchmark's compliant pod and gives it a generated name and the parking gate.
func parkedPod(path string) (*corev1.Pod, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pod := &corev1.Pod{}
	if err := yaml.UnmarshalStrict(data, pod); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	pod.Name, pod.GenerateName = "", pod.Name+"-"
	pod.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: parkedGate}}
	return pod, nil
}

// register leaves exactly one webhook configuration for pods in place, opts (none when nil), and
// returns once the API server applies the change.
func register(ctx context.Context, c *framework.Cluster, opts *framework.WebhookOptions) error {
	api := c.ControlPlane.Client.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	for _, name := range []string{framework.WebhookConfiguration(c.Webhooks).Name, psaConfigurationName} {
		if opts != nil && framework.WebhookConfiguration(*opts).Name == name {
			continue
		}
		if err := api.Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	if opts != nil {
		if err := framework.RegisterWebhooks(ctx, c.ControlPlane.Client, *opts); err != nil {
			return err
		}
	}
	return framework.SyncWebhookConfigurations(ctx, c.ControlPlane.Client)
}

// creates is one measurement: every create's latency, and how many failed.
type creates struct {
	latencies []time.Duration
	errors    int
	elapsed   time.Duration
}

// createPods has clients goroutines create pods back to back for duration, then deletes them.
func createPods(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, clients int, duration time.Duration) (creates, error) {
	pods := client.CoreV1().Pods(benchNamespace)
	var (
		mu  sync.Mutex
		res creates
		wg  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(duration)
	for range clients {
		wg.Go(func() {
			var local []time.Duration
			failed := 0
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t0 := time.Now()
				_, err := pods.Create(ctx, pod, metav1.CreateOptions{})
				if err != nil {
					failed++
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			res.latencies = append(res.latencies, local...)
			res.errors += failed
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	// Unscheduled pods are deleted at once: no kubelet has to confirm.
	if err := pods.DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: new(int64)}, metav1.ListOptions{}); err != nil {
		return res, fmt.Errorf("deleting the benchmark's pods: %w", err)
	}
	return res, nil
}

// summarizeCreates takes the median of the rounds' percentiles and throughputs.
func summarizeCreates(rounds []creates) apiServerFigures {
	var f apiServerFigures
	var p50s, p99s, rates []float64
	for _, r := range rounds {
		sorted := slices.Clone(r.latencies)
		slices.Sort(sorted)
		p50s = append(p50s, millis(quantile(sorted, 0.50)))
		p99s = append(p99s, millis(quantile(sorted, 0.99)))
		rates = append(rates, float64(len(r.latencies))/r.elapsed.Seconds())
		f.Creates += len(r.latencies)
		f.Errors += r.errors
	}
	f.P50Millis, f.P99Millis, f.Throughput = median(p50s), median(p99s), median(rates)
	return f
}

// quantile of sorted latencies by the nearest-rank method; 0 when there are none.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// writeAPIServer prints the pod-create table.
func writeAPIServer(w io.Writer, rows []apiServerRow) {
	fmt.Fprintln(w, "| clients | no webhook p50 / p99 | kubeguard p50 / p99 | Pod Security webhook p50 / p99 | creates/s: none / kubeguard / PSA | errors |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, r := range rows {
		n, k, p := r.Settings[noWebhook], r.Settings[kubeguardName], r.Settings[psaWebhook]
		fmt.Fprintf(w, "| %d | %.1f / %.1f ms | %.1f / %.1f ms | %.1f / %.1f ms | %.0f / %.0f / %.0f | %d / %d / %d |\n",
			r.Clients, n.P50Millis, n.P99Millis, k.P50Millis, k.P99Millis, p.P50Millis, p.P99Millis,
			n.Throughput, k.Throughput, p.Throughput, n.Errors, k.Errors, p.Errors)
	}
}
