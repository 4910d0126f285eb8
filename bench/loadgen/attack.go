package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/kubeguard/kubeguard/bench/loadgen/attack"
	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// attackFlags are the flags of --attack runs; --duration, --timeout, --pid and --body serve them too.
type attackFlags struct {
	scenario    string
	connections int
	requests    int
	rate        float64
	metricsURL  string
	hostileOnly bool
}

func (a *attackFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.scenario, "attack", "", fmt.Sprintf("send hostile requests instead of load: one of %v; the --body reviews are then sent at --rate alongside", attack.Scenarios))
	fs.IntVar(&a.connections, "hostile-connections", 4, "with --attack: hostile connections open at once")
	fs.IntVar(&a.requests, "hostile-requests", 0, "with --attack: hostile requests (or connections, for the body attacks) in all; 0 leaves the bound to --duration")
	fs.Float64Var(&a.rate, "rate", 20, "with --attack: ordinary reviews per second")
	fs.StringVar(&a.metricsURL, "metrics-url", "", "with --attack: the server's /metrics, read before and after the attack")
	fs.BoolVar(&a.hostileOnly, "hostile-only", false, "with --attack: send the hostile requests alone, no --body reviews (another load generator sends those, with --attack baseline): an attack's thousands of connections then do not delay the ordinary reviews inside this process")
}

// runAttack runs one attack and reports it; it exits 1 when the report lists failures.
func runAttack(ctx context.Context, opts *options, a *attackFlags, bodyArgs []string, caFile, jsonOut string, extraArgs int, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "kubeguard-loadgen: %v\n", err)
		return exitUsage
	}
	switch {
	case extraArgs > 0:
		return fail(errors.New("unexpected arguments; every input is a flag"))
	case caFile == "":
		return fail(errors.New("--ca is required: the server's certificate is verified, as the API server does"))
	}
	ordinary, err := review.Load(bodyArgs)
	if err != nil {
		return fail(err)
	}
	trust, err := loadCA(caFile)
	if err != nil {
		return fail(err)
	}
	target := attack.Target{
		URL:        opts.url,
		TLS:        &tls.Config{RootCAs: trust, MinVersion: tls.VersionTLS12},
		MetricsURL: a.metricsURL,
		PID:        opts.pid,
	}
	rep, err := attack.Run(ctx, target, attack.Options{
		Scenario:     attack.Scenario(a.scenario),
		Connections:  a.connections,
		Requests:     a.requests,
		Duration:     opts.duration,
		Ordinary:     ordinary,
		OrdinaryRate: a.rate,
		HostileOnly:  a.hostileOnly,
		Timeout:      opts.timeout,
	})
	if err != nil {
		return fail(err)
	}
	summary := stdout
	if jsonOut == "-" {
		summary = stderr
	}
	rep.WriteSummary(summary)
	if jsonOut != "" {
		if err := writeJSON(jsonOut, stdout, rep); err != nil {
			return fail(err)
		}
	}
	if len(rep.Failures) > 0 {
		return exitFailures
	}
	return exitOK
}
