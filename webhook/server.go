package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/kubeguard/kubeguard/policy"
)

// Paths served by kubeguard.
const (
	// ValidatePath applies the configured modes.
	ValidatePath = "/validate"
	// DryRunPath treats every enabled rule as dry-run; the Helm chart routes namespaces labelled
	// kubeguard.io/mode=dry-run here through the API server's namespaceSelector, so kubeguard itself
	// needs no read access to the cluster.
	DryRunPath = "/validate/dry-run"
)

// ServerOptions configure the HTTPS server.
type ServerOptions struct {
	Host string
	Port int
	// CertDir holds tls.crt and tls.key; they are reloaded when they change.
	CertDir string
	Policy  *policy.Policy
	Metrics *Metrics
	Log     logr.Logger
	// BodyBudget bounds the bytes of request bodies held at once; 0 means DefaultBodyBudget.
	BodyBudget int64
	// Conns bound the connections; the zero value means DefaultConnLimits.
	Conns ConnLimits
	// Lifecycle, when set, drains the server before it stops.
	Lifecycle *Lifecycle
}

// Server is kubeguard's HTTPS server. Its handlers are registered through controller-runtime's webhook
// server, which instruments them (controller_runtime_webhook_* metrics); the HTTP server itself is
// kubeguard's own, because controller-runtime's cannot be given a connection cap, and its limits (1 MiB of
// headers, 32 s to send them) let a few hundred connections hold gigabytes.
type Server struct {
	opts    ServerOptions
	mux     *http.ServeMux
	limiter *connLimiter
	started atomic.Bool
}

// NewServer returns the server with kubeguard's two handlers registered.
func NewServer(o ServerOptions) *Server {
	if o.Conns == (ConnLimits{}) {
		o.Conns = DefaultConnLimits()
	}
	registry := webhook.NewServer(webhook.Options{})
	o.Metrics.recordPolicy(o.Policy)
	limiter := o.Conns.limiter()
	// The two paths share one budget: together they must stay within the process's memory.
	bodies := newBodyReader(o.BodyBudget)
	bodies.crowded = limiter.crowded
	registry.Register(ValidatePath, &Handler{Policy: o.Policy, Metrics: o.Metrics, Log: o.Log, bodies: bodies, lifecycle: o.Lifecycle})
	registry.Register(DryRunPath, &Handler{Policy: o.Policy, Metrics: o.Metrics, Log: o.Log, AllDryRun: true, bodies: bodies, lifecycle: o.Lifecycle})
	return &Server{opts: o, mux: registry.WebhookMux(), limiter: limiter}
}

// WebhookMux is the handler of every path, instrumented.
func (s *Server) WebhookMux() *http.ServeMux { return s.mux }

// addr is the address the server listens on.
func (s *Server) addr() string { return net.JoinHostPort(s.opts.Host, strconv.Itoa(s.opts.Port)) }

// tlsConfig serves the certificate watched by w, over HTTP/1.1 only.
func (s *Server) tlsConfig(w *certwatcher.CertWatcher) *tls.Config {
	c := &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: w.GetCertificate,
		// HTTP/1.1 only: the API server needs nothing more, and it keeps HTTP/2's stream-reset attacks
		// (CVE-2023-44487) off a component every write in the cluster waits on.
		NextProtos: []string{"http/1.1"},
	}
	if s.opts.Lifecycle != nil {
		s.opts.Lifecycle.tlsOption(c)
	}
	return c
}

// Start serves until ctx ends, then lets the requests in flight finish (for at most a minute). The
// requests' contexts end with ctx, with its cause: see ErrShuttingDown.
func (s *Server) Start(ctx context.Context) error {
	if err := s.opts.Conns.Validate(); err != nil {
		return err
	}
	watcher, err := certwatcher.New(filepath.Join(s.opts.CertDir, "tls.crt"), filepath.Join(s.opts.CertDir, "tls.key"))
	if err != nil {
		return err
	}
	watching := make(chan error, 1)
	go func() { watching <- watcher.Start(ctx) }()

	ln, err := s.opts.Conns.listen(s.addr(), s.limiter)
	if err != nil {
		return err
	}
	srv := s.opts.Conns.Server(s.mux)
	srv.BaseContext = func(net.Listener) context.Context { return ctx }

	stopped := make(chan error, 1)
	stop := context.AfterFunc(ctx, func() {
		shutdown, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		stopped <- srv.Shutdown(shutdown)
	})
	defer stop()
	s.started.Store(true)
	tlsLn := &firstRequestListener{Listener: ln, config: s.tlsConfig(watcher), ctx: ctx, limits: s.opts.Conns}
	if err := srv.Serve(tlsLn); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	err = <-stopped
	if werr := <-watching; werr != nil {
		err = errors.Join(err, fmt.Errorf("watching the certificate: %w", werr))
	}
	return err
}

// StartedChecker reports healthy once the server listens. It does not connect to the server: under a
// connection flood a probe would queue behind the flood and take a serving replica out of the Service.
func (s *Server) StartedChecker() healthz.Checker {
	return func(*http.Request) error {
		if !s.started.Load() {
			return errors.New("webhook server has not been started yet")
		}
		return nil
	}
}
