// Command kubeguard-loadgen sends AdmissionReviews to a validating webhook over HTTPS at a fixed number of
// keep-alive HTTP/1.1 connections, the way the API server calls it, and measures what each request costs.
//
// Every request gets a fresh UID; every response must be an AdmissionReview with that UID and the verdict
// expected for its body, or it counts as an error. With --pid it reads the server's CPU time and peak
// memory from /proc, so the cost per request is the server's own, not the client's.
//
// Usage:
//
//	kubeguard-loadgen --url https://127.0.0.1:9443/validate --ca ca.crt \
//	    --body pod.json=allowed --body rolebinding.json=denied \
//	    --connections 64 --duration 10s --pid 1234 --json result.json
//
// With --attack it sends hostile requests instead, while sending the bodies as ordinary reviews at --rate
// per second, and reports how the server coped (see package attack):
//
//	kubeguard-loadgen --attack stalled-bodies --hostile-connections 64 --duration 20s \
//	    --url https://127.0.0.1:9443/validate --ca ca.crt --body pod.json=allowed \
//	    --pid 1234 --metrics-url http://127.0.0.1:8080/metrics --json result.json
package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// Exit codes: 1 when any request failed or got the wrong verdict, 2 when the run could not start.
const (
	exitOK       = 0
	exitFailures = 1
	exitUsage    = 2
)

// maxDuration and maxRequests bound a run: the load generator is for measuring a server on this machine,
// never for stressing one indefinitely.
const (
	maxDuration = 10 * time.Minute
	maxRequests = 100_000_000
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// bodyFlags collects repeated --body PATH=VERDICT flags.
type bodyFlags []string

func (b *bodyFlags) String() string     { return strings.Join(*b, ",") }
func (b *bodyFlags) Set(v string) error { *b = append(*b, v); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kubeguard-loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		bodyArgs bodyFlags
		opts     options
		caFile   string
		jsonOut  string
		hostile  attackFlags
	)
	fs.StringVar(&opts.url, "url", "", "webhook URL, e.g. https://127.0.0.1:9443/validate (required)")
	fs.StringVar(&caFile, "ca", "", "PEM file of the CA that signed the server's certificate (required)")
	fs.Var(&bodyArgs, "body", "AdmissionReview JSON file and the verdict it must get, as PATH=allowed or PATH=denied; repeat for a mix, sent in turn (required)")
	fs.IntVar(&opts.connections, "connections", 1, "number of connections, each with one request in flight at a time")
	fs.DurationVar(&opts.duration, "duration", 10*time.Second, "how long to measure, after the warm-up")
	fs.IntVar(&opts.requests, "requests", 0, "stop after this many measured requests instead (0: run for --duration)")
	fs.DurationVar(&opts.warmup, "warmup", time.Second, "time spent sending before measuring: connections are opened and both sides warmed up")
	fs.DurationVar(&opts.timeout, "timeout", 10*time.Second, "time limit of one request (the API server's default webhook timeout)")
	fs.IntVar(&opts.pid, "pid", 0, "process ID of the server, to report its CPU time per request and peak RSS (Linux)")
	fs.StringVar(&opts.label, "label", "", "name of this run in the report")
	fs.StringVar(&jsonOut, "json", "", `write the report as JSON to this file ("-" for standard output, the summary then goes to standard error)`)
	hostile.register(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if hostile.scenario != "" {
		return runAttack(ctx, &opts, &hostile, bodyArgs, caFile, jsonOut, fs.NArg(), stdout, stderr)
	}
	if err := opts.validate(fs.NArg(), len(bodyArgs), caFile); err != nil {
		fmt.Fprintf(stderr, "kubeguard-loadgen: %v\n", err)
		return exitUsage
	}
	var err error
	if opts.bodies, err = review.Load(bodyArgs); err != nil {
		fmt.Fprintf(stderr, "kubeguard-loadgen: %v\n", err)
		return exitUsage
	}
	if opts.trust, err = loadCA(caFile); err != nil {
		fmt.Fprintf(stderr, "kubeguard-loadgen: %v\n", err)
		return exitUsage
	}

	rep, err := runLoad(ctx, &opts)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard-loadgen: %v\n", err)
		return exitUsage
	}
	summary := stdout
	if jsonOut == "-" {
		summary = stderr
	}
	rep.WriteSummary(summary)
	if jsonOut != "" {
		if err := writeJSON(jsonOut, stdout, rep); err != nil {
			fmt.Fprintf(stderr, "kubeguard-loadgen: %v\n", err)
			return exitUsage
		}
	}
	if rep.Errors > 0 {
		return exitFailures
	}
	return exitOK
}

func (o *options) validate(extraArgs, bodies int, caFile string) error {
	switch {
	case extraArgs > 0:
		return errors.New("unexpected arguments; every input is a flag")
	case o.url == "":
		return errors.New("--url is required")
	case !strings.HasPrefix(o.url, "https://"):
		return fmt.Errorf("--url %q: webhooks are called over HTTPS", o.url)
	case caFile == "":
		return errors.New("--ca is required: the server's certificate is verified, as the API server does")
	case bodies == 0:
		return errors.New("at least one --body is required")
	case o.connections < 1 || o.connections > 4096:
		return fmt.Errorf("--connections %d: want 1 to 4096", o.connections)
	case o.requests < 0 || o.requests > maxRequests:
		return fmt.Errorf("--requests %d: want 0 to %d", o.requests, maxRequests)
	case o.requests == 0 && (o.duration <= 0 || o.duration > maxDuration):
		return fmt.Errorf("--duration %s: want more than 0 and at most %s", o.duration, maxDuration)
	case o.warmup < 0 || o.warmup > maxDuration:
		return fmt.Errorf("--warmup %s: want 0 to %s", o.warmup, maxDuration)
	case o.timeout <= 0:
		return errors.New("--timeout must be positive")
	}
	return nil
}

func loadCA(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}

func writeJSON(path string, stdout io.Writer, rep any) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if path == "-" {
		_, err = stdout.Write(data)
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
