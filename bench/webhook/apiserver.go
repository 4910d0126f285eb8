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

// The admission settings the API server is measured with.
const (
	noWebhook    = "no webhook"
	floorWebhook = "floor webhook"
	podPolicy    = "ValidatingAdmissionPolicy"
	psaWebhook   = "Pod Security webhook"
)

// apiServerSettings are the settings in the order of every round and of the table: nothing, kubeguard, the
// floor webhook (the round trip alone), the five mission rules in CEL in the API server (in process), and the
// Pod Security webhook.
var apiServerSettings = []string{noWebhook, kubeguardName, floorWebhook, podPolicy, psaWebhook}

// The ValidatingWebhookConfigurations that register the Pod Security and floor webhooks exactly as kubeguard
// is registered: same rules, selectors, failurePolicy, timeout and CA.
const (
	psaConfigurationName   = "pod-security-webhook"
	floorConfigurationName = "kubeguard-floor"
)

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
// clients, in each of apiServerSettings.
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
	fl, err := e.startFloor(ctx, "apiserver")
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, fl.stop()) }()
	ca, err := os.ReadFile(e.caFile)
	if err != nil {
		return nil, err
	}
	like := func(name string, t *target) *admission {
		return &admission{webhook: &framework.WebhookOptions{
			Name:          name,
			BaseURL:       strings.TrimSuffix(t.url, framework.ValidatePath),
			CABundle:      ca,
			FailurePolicy: admissionregistrationv1.Fail,
		}}
	}
	registrations := map[string]*admission{
		noWebhook:     {},
		kubeguardName: {webhook: &c.Webhooks},
		floorWebhook:  like(floorConfigurationName, fl),
		podPolicy:     {policy: true},
		psaWebhook:    like(psaConfigurationName, psa),
	}
	defer func() {
		err = errors.Join(err, register(context.WithoutCancel(ctx), c, &admission{webhook: &c.Webhooks}, e.testdata))
	}()

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
			for _, setting := range apiServerSettings {
				if err := register(ctx, c, registrations[setting], e.testdata); err != nil {
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

// admission is what judges pods in one setting: a webhook, the policy, or nothing.
type admission struct {
	webhook *framework.WebhookOptions
	policy  bool
}

// register leaves exactly the admission a in place for pods, and returns once the API server applies the
// change: webhook configurations through framework.SyncWebhookConfigurations, the policy as setPolicy says.
func register(ctx context.Context, c *framework.Cluster, a *admission, testdata string) error {
	api := c.ControlPlane.Client.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	for _, name := range []string{framework.WebhookConfiguration(c.Webhooks).Name, psaConfigurationName, floorConfigurationName} {
		if a.webhook != nil && framework.WebhookConfiguration(*a.webhook).Name == name {
			continue
		}
		if err := api.Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	if err := framework.SyncWebhookConfigurations(ctx, c.ControlPlane.Client); err != nil {
		return err
	}
	// No webhook judges pods now: the probe's verdict is the policy's.
	if err := setPolicy(ctx, c, a.policy, testdata); err != nil {
		return err
	}
	if a.webhook != nil {
		if err := framework.RegisterWebhooks(ctx, c.ControlPlane.Client, *a.webhook); err != nil {
			return err
		}
		return framework.SyncWebhookConfigurations(ctx, c.ControlPlane.Client)
	}
	return nil
}

// policyTimeout bounds how long the API server may take to apply a policy change, which it learns by a watch.
const policyTimeout = 30 * time.Second

// setPolicy creates or deletes the pod rules' ValidatingAdmissionPolicy and its binding, and waits until a
// server-side dry run of the non-compliant pod, which breaks every rule of it, is refused (on) or admitted
// (off); then, when on, checks that the compliant pod is admitted.
func setPolicy(ctx context.Context, c *framework.Cluster, on bool, testdata string) error {
	probe, err := parkedPod(filepath.Join(testdata, "manifests", "pod-noncompliant.yaml"))
	if err != nil {
		return err
	}
	api := c.ControlPlane.Client.AdmissionregistrationV1()
	policy, binding := podRulesPolicy()
	changed := false
	if on {
		for _, create := range []func() error{
			func() error {
				_, err := api.ValidatingAdmissionPolicies().Create(ctx, policy, metav1.CreateOptions{})
				return err
			},
			func() error {
				_, err := api.ValidatingAdmissionPolicyBindings().Create(ctx, binding, metav1.CreateOptions{})
				return err
			},
		} {
			switch err := create(); {
			case err == nil:
				changed = true
			case !apierrors.IsAlreadyExists(err):
				return fmt.Errorf("creating the policy: %w", err)
			}
		}
	} else {
		for _, remove := range []func() error{
			func() error {
				return api.ValidatingAdmissionPolicyBindings().Delete(ctx, binding.Name, metav1.DeleteOptions{})
			},
			func() error {
				return api.ValidatingAdmissionPolicies().Delete(ctx, policy.Name, metav1.DeleteOptions{})
			},
		} {
			switch err := remove(); {
			case err == nil:
				changed = true
			case !apierrors.IsNotFound(err):
				return fmt.Errorf("deleting the policy: %w", err)
			}
		}
	}
	if !changed {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, policyTimeout)
	defer cancel()
	pods := c.ControlPlane.Client.CoreV1().Pods(benchNamespace)
	for {
		_, err := pods.Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		refused := apierrors.IsForbidden(err)
		if err != nil && !refused {
			return fmt.Errorf("probing the policy: %w", err)
		}
		if refused == on {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the API server did not apply the policy change (in place: %t) within %s", on, policyTimeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
	if !on {
		return nil
	}
	// A policy that fails to evaluate refuses everything under failurePolicy Fail: the compliant pod must pass.
	compliant, err := parkedPod(filepath.Join(testdata, "manifests", "pod-compliant.yaml"))
	if err != nil {
		return err
	}
	if _, err := pods.Create(ctx, compliant, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
		return fmt.Errorf("the policy refuses the compliant pod: %w", err)
	}
	return nil
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

// writeAPIServer prints the pod-create table: a row per client count and setting.
func writeAPIServer(w io.Writer, rows []apiServerRow) {
	fmt.Fprintln(w, "| clients | admission | p50 ms | p99 ms | creates/s | errors |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|")
	for _, r := range rows {
		for _, setting := range apiServerSettings {
			f, ok := r.Settings[setting]
			if !ok {
				continue
			}
			fmt.Fprintf(w, "| %d | %s | %.1f | %.1f | %.0f | %d |\n", r.Clients, setting, f.P50Millis, f.P99Millis, f.Throughput, f.Errors)
		}
	}
}
