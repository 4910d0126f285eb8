package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// Names of the servers, as the tables show them and as their binaries are called in bin/.
const (
	kubeguardName = "kubeguard"
	psaName       = "pod-security-webhook"
	// floorName is the floor webhook (bench/floor): it reads the review and allows it with its UID.
	floorName = "kubeguard-floor"
)

// benchNamespace holds the benchmark's objects. The Pod Security webhook reads it, so it exists in the
// control plane, without labels: the configuration's restricted default applies.
const benchNamespace = "bench"

// target is a running webhook server the load generator is pointed at.
type target struct {
	name string
	url  string
	pid  int
	// metricsURL is the server's /metrics; empty when it serves none.
	metricsURL string
	stop       func() error
}

// env is what every server of a run shares: certificates, the control plane's kubeconfig, directories.
type env struct {
	// dir receives certificates, configuration, logs and results.
	dir      string
	testdata string
	certDir  string
	caFile   string
	trust    *x509.CertPool
	// kubeconfig is the admin's, for the Pod Security webhook's namespace lookups.
	kubeconfig string
	psaConfig  string
	loadgen    string
}

// newEnv issues a CA and a loopback serving certificate that both webhooks present, and writes the Pod
// Security webhook's configuration.
func newEnv(dir, testdata, kubeconfig string) (*env, error) {
	e := &env{dir: dir, testdata: testdata, certDir: filepath.Join(dir, "certs"), caFile: filepath.Join(dir, "ca.crt"), kubeconfig: kubeconfig}
	var err error
	if e.loadgen, err = framework.Binary("kubeguard-loadgen"); err != nil {
		return nil, err
	}
	// The servers are started by name from bin/; a missing one fails the run before anything starts.
	for _, name := range []string{psaName, kubeguardName, floorName} {
		if _, err := framework.Binary(name); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	ca, err := framework.NewCA("kubeguard-bench-ca")
	if err != nil {
		return nil, err
	}
	serving, err := ca.IssueServing(framework.LoopbackHosts...)
	if err != nil {
		return nil, err
	}
	if err := serving.WriteTo(e.certDir); err != nil {
		return nil, err
	}
	if err := os.WriteFile(e.caFile, ca.CertPEM, 0o644); err != nil {
		return nil, err
	}
	e.trust = framework.CertPool(ca)
	e.psaConfig = filepath.Join(dir, "pod-security.yaml")
	return e, os.WriteFile(e.psaConfig, []byte(psaConfiguration), 0o644)
}

// psaConfiguration enforces the restricted profile everywhere, so that the Pod Security webhook evaluates
// every pod as kubeguard does. Audit and warn stay at their privileged default: kubeguard's enforce mode
// neither audits nor warns either.
const psaConfiguration = `apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: restricted
  enforce-version: latest
exemptions:
  usernames: []
  runtimeClasses: []
  namespaces: []
`

func (e *env) logPath(name string) string { return filepath.Join(e.dir, "logs", name+".log") }

// chartMemoryLimit is the chart's default memory limit (resources.limits.memory in
// deploy/charts/kubeguard/values.yaml), which the chart passes to kubeguard as --memory-limit.
const chartMemoryLimit = "256Mi"

// startKubeguard starts `kubeguard serve` with the default configuration and metrics on, as deployed.
func (e *env) startKubeguard(ctx context.Context, tag string) (*target, error) {
	log, err := os.Create(e.logPath(kubeguardName + "-" + tag))
	if err != nil {
		return nil, err
	}
	k, err := framework.StartKubeguard(ctx, framework.KubeguardOptions{
		CertDir: e.certDir, Trust: e.trust, Output: log,
		ExtraArgs: []string{"--memory-limit", chartMemoryLimit},
	})
	if err != nil {
		log.Close()
		return nil, err
	}
	stop := func() error { return errors.Join(k.Stop(), log.Close()) }
	metrics := fmt.Sprintf("http://127.0.0.1:%d/metrics", k.MetricsPort)
	return &target{name: kubeguardName, url: k.URL(framework.ValidatePath), pid: k.Pid(), metricsURL: metrics, stop: stop}, nil
}

// startPSA starts the Pod Security webhook, which serves admission on every path.
func (e *env) startPSA(ctx context.Context, tag string) (*target, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{
		"--kubeconfig", e.kubeconfig,
		"--config", e.psaConfig,
		"--bind-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(port),
		"--tls-cert-file", filepath.Join(e.certDir, "tls.crt"),
		"--tls-private-key-file", filepath.Join(e.certDir, "tls.key"),
	}
	base := "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// /readyz waits for the namespace informer to sync: before that, every pod would be refused.
	t, err := e.startProcess(ctx, &framework.Process{Name: psaName, Args: args, HealthURL: base + "/readyz"}, psaName+"-"+tag)
	if err != nil {
		return nil, err
	}
	t.url = base + "/validate"
	return t, nil
}

// startProcess starts p with its output in the log called logName, its health URL verified against the
// run's CA, and returns it as a target whose stop also closes the log.
func (e *env) startProcess(ctx context.Context, p *framework.Process, logName string) (*target, error) {
	log, err := os.Create(e.logPath(logName))
	if err != nil {
		return nil, err
	}
	p.Output, p.Trust = log, e.trust
	if err := p.Start(ctx); err != nil {
		log.Close()
		return nil, err
	}
	return &target{name: p.Name, pid: p.Pid(), stop: func() error { return errors.Join(p.Stop(), log.Close()) }}, nil
}

// startServing starts kubeguard (serve) or the floor webhook as kubeguard is deployed but for the metrics,
// its webhook on a free port and, with profiling, Go's profiler on its health probe address; it returns the
// health probe address's base URL.
func (e *env) startServing(ctx context.Context, name, tag string, profiling bool) (*target, string, error) {
	ports, err := framework.FreePorts(2)
	if err != nil {
		return nil, "", err
	}
	healthAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
	args := []string{
		"--host", "127.0.0.1",
		"--port", strconv.Itoa(ports[0]),
		"--cert-dir", e.certDir,
		"--health-probe-bind-address", healthAddr,
	}
	if name == kubeguardName {
		args = append([]string{"serve"}, append(args, "--metrics-bind-address", "0")...)
	}
	if profiling {
		args = append(args, "--profiling")
	}
	healthURL := "http://" + healthAddr
	t, err := e.startProcess(ctx, &framework.Process{Name: name, Args: args, HealthURL: healthURL + "/readyz"}, name+"-"+tag)
	if err != nil {
		return nil, "", err
	}
	t.url = "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])) + framework.ValidatePath
	return t, healthURL, nil
}

// startFloor starts the floor webhook.
func (e *env) startFloor(ctx context.Context, tag string) (*target, error) {
	t, _, err := e.startServing(ctx, floorName, tag, false)
	return t, err
}

func freePort() (int, error) {
	ports, err := framework.FreePorts(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}
