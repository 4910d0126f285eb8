// Command kubeguard-floor serves the floor webhook (package floor) the way kubeguard serve serves its own:
// HTTPS on the same TLS settings (TLS 1.2 or later, HTTP/1.1 only), the same HTTP server limits and
// connection cap (webhook.DefaultConnLimits), readiness and, with --profiling, Go's profiler on a plain
// HTTP health probe address. `make bench` builds it into bin/ and measures it beside kubeguard.
//
// It allows every request: it exists to be measured on loopback, never to be registered in a real cluster.
//
//	kubeguard-floor --cert-dir bin/certs --port 9444 --health-probe-bind-address 127.0.0.1:8082
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/kubeguard/kubeguard/bench/floor"
	"github.com/kubeguard/kubeguard/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kubeguard-floor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("kubeguard-floor", flag.ContinueOnError)
	host := fs.String("host", "127.0.0.1", "address to serve the webhook on")
	port := fs.Int("port", 9443, "port to serve the webhook on (HTTPS)")
	certDir := fs.String("cert-dir", "", "directory holding tls.crt and tls.key")
	healthAddr := fs.String("health-probe-bind-address", "127.0.0.1:8081", "address of /readyz (plain HTTP)")
	profiling := fs.Bool("profiling", false, "also serve Go's profiler at /debug/pprof/ on the health probe address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(*certDir, "tls.crt"), filepath.Join(*certDir, "tls.key"))
	if err != nil {
		return err
	}
	limits := webhook.DefaultConnLimits()
	ln, err := limits.Listen(net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		return err
	}
	srv := limits.Server(floor.Handler{})
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}}

	health := http.NewServeMux()
	health.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	if *profiling {
		health.HandleFunc("/debug/pprof/", pprof.Index)
		health.HandleFunc("/debug/pprof/profile", pprof.Profile)
	}
	served := make(chan error, 2)
	go func() { served <- limits.Serve(ctx, *healthAddr, health) }()
	go func() { served <- srv.Serve(tls.NewListener(ln, tlsConfig)) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
