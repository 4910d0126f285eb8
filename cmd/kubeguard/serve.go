package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

type serveFlags struct {
	config      string
	host        string
	port        int
	certDir     string
	healthAddr  string
	metricsAddr string
	profiling   bool
	// shutdownDelay is how long kubeguard keeps answering after SIGTERM, unready and closing connections,
	// before it closes its listener.
	shutdownDelay time.Duration
	// conns bound the webhook port; the metrics and health ports take the same limits with their own caps.
	conns                     webhook.ConnLimits
	metricsConns, healthConns int
	memoryLimit               string
}

func runServe(args []string, stderr io.Writer) int {
	var f serveFlags
	fs := newFlagSet("serve", "serve [flags]", stderr)
	fs.StringVar(&f.config, "config", "", configUsage())
	fs.StringVar(&f.host, "host", "", "address to serve the webhook on (default: all addresses)")
	fs.IntVar(&f.port, "port", 9443, "port to serve the webhook on")
	fs.StringVar(&f.certDir, "cert-dir", "/etc/kubeguard/certs", "directory holding tls.crt and tls.key; changes are picked up without a restart")
	fs.StringVar(&f.healthAddr, "health-probe-bind-address", ":8081", "address of /healthz and /readyz")
	fs.StringVar(&f.metricsAddr, "metrics-bind-address", ":8080", `address of /metrics, or "0" to turn metrics off`)
	fs.BoolVar(&f.profiling, "profiling", false, "also serve Go's profiler at /debug/pprof/ on the health probe address")
	fs.DurationVar(&f.shutdownDelay, "shutdown-delay", 5*time.Second, "on SIGTERM, how long to keep answering (reporting unready, closing each connection after its answer) before closing the listener; requests in flight then still complete")
	f.conns = webhook.DefaultConnLimits()
	fs.IntVar(&f.conns.MaxConns, "max-connections", f.conns.MaxConns, "connections open at once on the webhook port; more wait in the kernel's accept queue (docs/install.md, \"Connection limits\")")
	fs.IntVar(&f.metricsConns, "metrics-max-connections", webhook.DefaultMaxSideConns, "connections open at once on the metrics port")
	fs.IntVar(&f.healthConns, "health-max-connections", webhook.DefaultMaxSideConns, "connections open at once on the health probe port")
	fs.IntVar(&f.conns.MaxHeaderBytes, "max-header-bytes", f.conns.MaxHeaderBytes, "largest request line and headers accepted on every port; larger ones get 431")
	fs.DurationVar(&f.conns.ReadHeaderTimeout, "read-header-timeout", f.conns.ReadHeaderTimeout, "time a new connection has for its TLS handshake, and a request for its headers from their first byte, on every port")
	fs.DurationVar(&f.conns.IdleTimeout, "idle-timeout", f.conns.IdleTimeout, "connections waiting this long for their next request are closed (on the webhook port, for their first one too), on every port")
	fs.StringVar(&f.memoryLimit, "memory-limit", "", "the container's memory limit (bytes, or a quantity such as 256Mi); the Go runtime then keeps its memory under 85% of it. The environment variable GOMEMLIMIT, when set, wins")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kubeguard serve: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}

	for _, l := range []webhook.ConnLimits{f.conns, f.sideLimits(f.metricsConns), f.sideLimits(f.healthConns)} {
		if err := l.Validate(); err != nil {
			fmt.Fprintf(stderr, "kubeguard serve: %v\n", err)
			return exitUsage
		}
	}
	goLimit, err := setMemoryLimit(f.memoryLimit, os.Getenv("GOMEMLIMIT"))
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard serve: --memory-limit: %v\n", err)
		return exitUsage
	}

	log := logr.FromSlogHandler(slog.NewJSONHandler(stderr, nil))
	ctrllog.SetLogger(log)
	if goLimit > 0 {
		log.Info("Go memory limit set", "bytes", goLimit, "from", f.memoryLimit)
	}
	p, err := loadPolicy(f.config)
	if err != nil {
		// A webhook that starts with a policy nobody wrote would deny or allow the wrong things: refuse.
		fmt.Fprintf(stderr, "kubeguard: invalid configuration: %v\n", err)
		return exitUsage
	}

	logConfigWarnings(log, f.config, p)
	logExpiring(log, p, time.Now())
	logFarAhead(log, p, time.Now())

	signals, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serve(signals, f, p, log); err != nil {
		log.Error(err, "kubeguard stopped")
		return 1
	}
	return exitOK
}

// serve runs the webhook, probe and metrics servers until signals ends, then stops in order: readiness
// turns false and every answer closes its connection (so that the API server reconnects to a replica that
// is not stopping), after shutdownDelay the webhook listener closes and the requests in flight complete, and
// only then do the probe and metrics servers stop.
func serve(signals context.Context, f serveFlags, p *policy.Policy, log logr.Logger) error {
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	lifecycle := new(webhook.Lifecycle)
	server := webhook.NewServer(webhook.ServerOptions{
		Host:      f.host,
		Port:      f.port,
		CertDir:   f.certDir,
		Policy:    p,
		Metrics:   webhook.NewMetrics(registry),
		Log:       log.WithName("admission"),
		Conns:     f.conns,
		Lifecycle: lifecycle,
	})

	health := http.NewServeMux()
	handleChecks(health, "/healthz", map[string]healthz.Checker{"ping": healthz.Ping})
	handleChecks(health, "/readyz", map[string]healthz.Checker{
		"webhook": server.StartedChecker(),
		"not-stopping": func(*http.Request) error {
			if lifecycle.Draining() {
				return errors.New("kubeguard is shutting down")
			}
			return nil
		},
	})
	if f.profiling {
		// Off by default: profiles show request contents in stack traces, and the endpoint costs nothing
		// until asked for a profile.
		health.HandleFunc("/debug/pprof/", pprof.Index)
		health.HandleFunc("/debug/pprof/profile", pprof.Profile)
		health.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		health.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}

	g, ctx := errgroup.WithContext(context.Background())
	webhookCtx, stopWebhook := context.WithCancelCause(ctx)
	defer stopWebhook(nil)
	probesCtx, stopProbes := context.WithCancel(ctx)
	defer stopProbes()
	g.Go(func() error {
		defer stopProbes()
		return server.Start(webhookCtx)
	})
	g.Go(func() error {
		select {
		case <-signals.Done():
		case <-ctx.Done():
			return nil
		}
		lifecycle.Drain()
		log.Info("kubeguard stopping: unready, closing connections after each answer", "delay", f.shutdownDelay)
		sleep(ctx, f.shutdownDelay)
		lifecycle.StopAccepting()
		sleep(ctx, handshakeGrace)
		stopWebhook(webhook.ErrShuttingDown)
		return nil
	})
	g.Go(func() error { return f.sideLimits(f.healthConns).Serve(probesCtx, f.healthAddr, health) })
	if f.metricsAddr != "0" {
		metrics := http.NewServeMux()
		// controller-runtime's server and certwatcher record into their own registry (webhook latency and
		// in-flight requests, certificate reloads): serve both.
		gatherers := prometheus.Gatherers{registry, ctrlmetrics.Registry}
		metrics.Handle("/metrics", promhttp.HandlerFor(gatherers, promhttp.HandlerOpts{}))
		g.Go(func() error { return f.sideLimits(f.metricsConns).Serve(probesCtx, f.metricsAddr, metrics) })
	}
	log.Info("kubeguard serving", "version", version, "port", f.port, "certDir", f.certDir, "config", f.config)
	err := g.Wait()
	log.Info("kubeguard stopped")
	return err
}

// handshakeGrace is how long TLS handshakes under way get to finish once new ones are refused, before the
// server's context (which ends those still under way) is cancelled.
const handshakeGrace = 500 * time.Millisecond

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// sideLimits are the limits of a metrics or health port: the webhook port's, with a cap of their own.
func (f *serveFlags) sideLimits(maxConns int) webhook.ConnLimits {
	l := f.conns
	l.MaxConns = maxConns
	return l
}

// handleChecks serves checks at path (all of them) and at path/<name> (one), as the kubelet and humans use.
func handleChecks(mux *http.ServeMux, path string, checks map[string]healthz.Checker) {
	h := http.StripPrefix(path, &healthz.Handler{Checks: checks})
	mux.Handle(path, h)
	mux.Handle(path+"/", h)
}
