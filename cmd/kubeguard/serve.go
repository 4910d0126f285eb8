package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
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
}

func runServe(args []string, stderr io.Writer) int {
	var f serveFlags
	fs := newFlagSet("serve", "serve [flags]", stderr)
	fs.StringVar(&f.config, "config", "", "configuration file (default: built-in defaults, every rule enforced)")
	fs.StringVar(&f.host, "host", "", "address to serve the webhook on (default: all addresses)")
	fs.IntVar(&f.port, "port", 9443, "port to serve the webhook on")
	fs.StringVar(&f.certDir, "cert-dir", "/etc/kubeguard/certs", "directory holding tls.crt and tls.key; changes are picked up without a restart")
	fs.StringVar(&f.healthAddr, "health-probe-bind-address", ":8081", "address of /healthz and /readyz")
	fs.StringVar(&f.metricsAddr, "metrics-bind-address", ":8080", `address of /metrics, or "0" to turn metrics off`)
	fs.BoolVar(&f.profiling, "profiling", false, "also serve Go's profiler at /debug/pprof/ on the health probe address")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kubeguard serve: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}

	log := logr.FromSlogHandler(slog.NewJSONHandler(stderr, nil))
	ctrllog.SetLogger(log)
	p, err := loadPolicy(f.config)
	if err != nil {
		// A webhook that starts with a policy nobody wrote would deny or allow the wrong things: refuse.
		fmt.Fprintf(stderr, "kubeguard: invalid configuration: %v\n", err)
		return exitUsage
	}

	logExpiring(log, p, time.Now())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, f, p, log); err != nil {
		log.Error(err, "kubeguard stopped")
		return 1
	}
	return exitOK
}

func serve(ctx context.Context, f serveFlags, p *policy.Policy, log logr.Logger) error {
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	server := webhook.NewServer(webhook.ServerOptions{
		Host:    f.host,
		Port:    f.port,
		CertDir: f.certDir,
		Policy:  p,
		Metrics: webhook.NewMetrics(registry),
		Log:     log.WithName("admission"),
	})

	health := http.NewServeMux()
	handleChecks(health, "/healthz", map[string]healthz.Checker{"ping": healthz.Ping})
	handleChecks(health, "/readyz", map[string]healthz.Checker{"webhook": server.StartedChecker()})
	if f.profiling {
		// Off by default: profiles show request contents in stack traces, and the endpoint costs nothing
		// until asked for a profile.
		health.HandleFunc("/debug/pprof/", pprof.Index)
		health.HandleFunc("/debug/pprof/profile", pprof.Profile)
		health.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		health.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return server.Start(ctx) })
	g.Go(func() error { return serveHTTP(ctx, f.healthAddr, health) })
	if f.metricsAddr != "0" {
		metrics := http.NewServeMux()
		// controller-runtime's server and certwatcher record into their own registry (webhook latency and
		// in-flight requests, certificate reloads): serve both.
		gatherers := prometheus.Gatherers{registry, ctrlmetrics.Registry}
		metrics.Handle("/metrics", promhttp.HandlerFor(gatherers, promhttp.HandlerOpts{}))
		g.Go(func() error { return serveHTTP(ctx, f.metricsAddr, metrics) })
	}
	log.Info("kubeguard serving", "version", version, "port", f.port, "certDir", f.certDir, "config", f.config)
	return g.Wait()
}

// serveHTTP serves plain HTTP for probes and metrics until ctx ends.
func serveHTTP(ctx context.Context, addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving %s: %w", addr, err)
	}
	return nil
}

// handleChecks serves checks at path (all of them) and at path/<name> (one), as the kubelet and humans use.
func handleChecks(mux *http.ServeMux, path string, checks map[string]healthz.Checker) {
	h := http.StripPrefix(path, &healthz.Handler{Checks: checks})
	mux.Handle(path, h)
	mux.Handle(path+"/", h)
}
