// Package attack sends what a hostile client that reaches a webhook's port can send: reviews of the largest
// accepted size listing millions of containers, bodies that stall or trickle, reviews of made-up kinds. At
// the same time it sends ordinary reviews at a modest rate and checks every answer, and it reads what the
// attack cost the server from /proc and from its /metrics.
//
// Every run is bounded in requests and in time, and aims at loopback addresses only: it is for proving a
// server on this machine, never for stressing someone else's.
package attack

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/procfs"
	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// Scenario names one attack.
type Scenario string

// The attacks.
const (
	// HugeContainers sends ephemeral-containers reviews of the largest accepted size: millions of empty
	// containers, and hundreds of thousands of named ones, in object and oldObject.
	HugeContainers Scenario = "huge-containers"
	// StalledBodies declares the largest accepted body, sends all of it but the last byte, and stalls.
	StalledBodies Scenario = "stalled-bodies"
	// TricklingBodies declares the largest accepted body and sends it a byte at a time, slowly.
	TricklingBodies Scenario = "trickling-bodies"
	// MadeUpKinds sends small reviews, each of a kind nobody has heard of.
	MadeUpKinds Scenario = "made-up-kinds"
	// HeaderHoarding sends a request line and 1 MiB of headers without the blank line that ends them, over
	// TLS to the webhook port, and waits; each connection reconnects once cut off.
	HeaderHoarding Scenario = "header-hoarding"
	// MetricsHeaderHoarding does the same to the metrics port (plain HTTP).
	MetricsHeaderHoarding Scenario = "metrics-header-hoarding"
	// Slowloris sends a review's headers declaring a 64 KiB body, and then nothing.
	Slowloris Scenario = "slowloris"
	// StalledChunked sends a review's headers with a chunked body, a first chunk, and then nothing.
	StalledChunked Scenario = "stalled-chunked"
	// Baseline sends nothing hostile: the ordinary reviews alone, to compare the attacks with.
	Baseline Scenario = "baseline"
)

// Scenarios lists every attack.
var Scenarios = []Scenario{HugeContainers, StalledBodies, TricklingBodies, MadeUpKinds, HeaderHoarding, MetricsHeaderHoarding, Slowloris, StalledChunked, Baseline}

// MaxBodyBytes is the largest request body kubeguard accepts (webhook.MaxRequestBytes): the attacks send
// bodies of exactly that size, the worst that gets past the first check.
const MaxBodyBytes = 7 << 20

// Bounds of a run.
const (
	MaxDuration    = 10 * time.Minute
	MaxConnections = 4096
	MaxRequests    = 1_000_000
)

// Target is the webhook under attack.
type Target struct {
	// URL is the webhook's HTTPS URL, on a loopback address.
	URL string
	// TLS verifies the server's certificate.
	TLS *tls.Config
	// MetricsURL is the server's /metrics, read before and after the attack; empty to skip it.
	MetricsURL string
	// PID is the server's process, whose CPU time and peak memory are read from /proc; 0 to skip it.
	PID int
}

// Options configure a run.
type Options struct {
	Scenario Scenario
	// Connections is how many hostile connections are open at once.
	Connections int
	// Requests bounds the hostile requests (connections, for the body scenarios) in all; 0 leaves the bound
	// to Duration.
	Requests int
	// Duration bounds the time new hostile requests are started in.
	Duration time.Duration
	// Ordinary are the reviews sent during the attack, in turn, each of which must get its verdict.
	Ordinary []review.Body
	// OrdinaryRate is how many ordinary reviews are sent per second.
	OrdinaryRate float64
	// Timeout is the API server's webhook timeout, sent with every ordinary review as ?timeout= and the
	// longest an ordinary review waits for its answer.
	Timeout time.Duration
	// CutOffWait is the longest a hostile request waits for the server to answer it or close its
	// connection; 0 means DefaultCutOffWait.
	CutOffWait time.Duration
	// HostileOnly sends the hostile requests alone: no ordinary reviews, no reading of the server's
	// /proc or /metrics. Another run, of the Baseline, measures the server meanwhile.
	HostileOnly bool
}

// DefaultCutOffWait is the longest a hostile request waits by default: kubeguard gives a body 5 seconds and
// a request 30 at most.
const DefaultCutOffWait = 40 * time.Second

// Validate checks a run's options and its target.
func (o *Options) Validate(t *Target) error {
	switch {
	case !slices.Contains(Scenarios, o.Scenario):
		return fmt.Errorf("unknown attack %q; want one of %v", o.Scenario, Scenarios)
	case o.Scenario == Baseline && o.Connections != 0:
		return fmt.Errorf("%d hostile connections: the baseline has none", o.Connections)
	case o.Scenario != Baseline && (o.Connections < 1 || o.Connections > MaxConnections):
		return fmt.Errorf("%d hostile connections: want 1 to %d", o.Connections, MaxConnections)
	case o.Scenario == MetricsHeaderHoarding && t.MetricsURL == "":
		return errors.New("the metrics attack needs the server's /metrics URL")
	case o.Requests < 0 || o.Requests > MaxRequests:
		return fmt.Errorf("%d hostile requests: want 0 to %d", o.Requests, MaxRequests)
	case o.Duration <= 0 || o.Duration > MaxDuration:
		return fmt.Errorf("duration %s: want more than 0 and at most %s", o.Duration, MaxDuration)
	case o.HostileOnly && o.Scenario == Baseline:
		return errors.New("the baseline has no hostile requests to send alone")
	case o.HostileOnly && len(o.Ordinary) > 0:
		return errors.New("ordinary reviews are sent by another run when the hostile requests go alone")
	case !o.HostileOnly && len(o.Ordinary) == 0:
		return errors.New("ordinary reviews are required: an attack is judged by how the server serves them")
	case !o.HostileOnly && (o.OrdinaryRate <= 0 || o.OrdinaryRate > 1000):
		return fmt.Errorf("ordinary rate %g/s: want more than 0 and at most 1000", o.OrdinaryRate)
	case o.Timeout <= 0 || o.Timeout > time.Minute:
		return fmt.Errorf("timeout %s: want more than 0 and at most a minute", o.Timeout)
	case o.CutOffWait < 0 || o.CutOffWait > MaxDuration:
		return fmt.Errorf("cut-off wait %s: want 0 to %s", o.CutOffWait, MaxDuration)
	case t.TLS == nil:
		return errors.New("the target needs a TLS configuration that verifies its certificate")
	}
	if err := requireLoopback(t.URL, "https"); err != nil {
		return err
	}
	if t.MetricsURL != "" {
		return requireLoopback(t.MetricsURL, "http", "https")
	}
	return nil
}

// requireLoopback accepts a URL of one of the schemes whose host is a loopback address.
func requireLoopback(raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if !slices.Contains(schemes, u.Scheme) {
		return fmt.Errorf("%s: want a URL of scheme %v", raw, schemes)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s: attacks are sent to loopback addresses only", raw)
	}
	return nil
}

// Run runs one attack with ordinary reviews alongside, and reports what happened. It returns an error only
// when the run could not be made; what went wrong for the server is in the report's Failures.
func Run(ctx context.Context, t Target, o Options) (*Report, error) {
	if err := o.Validate(&t); err != nil {
		return nil, err
	}
	h := newHostile(&t, &o)
	rep := &Report{Scenario: o.Scenario, Connections: o.Connections}
	if o.HostileOnly {
		return runHostileOnly(ctx, h, rep)
	}
	if t.MetricsURL != "" {
		m, err := readMetrics(ctx, t.MetricsURL)
		if err != nil {
			return nil, err
		}
		rep.Metrics = &Metrics{Fresh: m}
	}

	ord := newOrdinary(&t, &o)
	ordCtx, stopOrdinary := context.WithCancel(ctx)
	ordDone := make(chan struct{})
	go func() { ord.run(ordCtx); close(ordDone) }()
	defer func() { stopOrdinary(); <-ordDone }()

	// Every ordinary review, and one hostile request where it adds series, is answered before the baseline
	// is taken: later growth is then the attack's alone.
	if err := ord.waitAnswered(ctx, len(o.Ordinary), o.Timeout); err != nil {
		return nil, err
	}
	if err := h.warm(ctx); err != nil {
		return nil, err
	}
	if rep.Metrics != nil {
		var err error
		if rep.Metrics.Before, err = readMetrics(ctx, t.MetricsURL); err != nil {
			return nil, err
		}
	}
	before, err := procfs.Read(t.PID)
	if err != nil {
		return nil, err
	}

	self, err := procfs.Read(os.Getpid())
	if err != nil {
		return nil, err
	}
	ord.restart()
	start := time.Now()
	// One ordinary review goes out with the attack's first requests, so that an attack over in a few
	// milliseconds, before the rate's first tick, is still measured against a legitimate review.
	opening := make(chan struct{})
	go func() { ord.send(0, openingSeq, start); close(opening) }()
	h.run(ctx)
	rep.Seconds = time.Since(start).Seconds()
	stopOrdinary()
	<-ordDone
	<-opening
	if selfAfter, err := procfs.Read(os.Getpid()); err == nil {
		rep.LoadgenCPUSeconds = (selfAfter.CPU - self.CPU).Seconds()
	}

	after, procErr := procfs.Read(t.PID)
	if t.PID != 0 {
		rep.Server = &Server{PID: t.PID, Alive: procErr == nil}
		if procErr == nil {
			rep.Server.CPUSeconds = (after.CPU - before.CPU).Seconds()
			rep.Server.PeakRSSBytes = after.PeakRSS
			rep.Server.RSSBeforeBytes, rep.Server.RSSAfterBytes = before.RSS, after.RSS
		}
	}
	if rep.Metrics != nil {
		m, err := readMetrics(ctx, t.MetricsURL)
		if err != nil {
			rep.Failures = append(rep.Failures, fmt.Sprintf("/metrics after the attack: %v", err))
		} else {
			rep.Metrics.After = m
		}
	}
	rep.Hostile = h.shapes()
	rep.Ordinary = ord.report()
	rep.judge()
	return rep, ctx.Err()
}

// runHostileOnly sends the hostile requests alone and reports what became of them.
func runHostileOnly(ctx context.Context, h *hostile, rep *Report) (*Report, error) {
	self, err := procfs.Read(os.Getpid())
	if err != nil {
		return nil, err
	}
	start := time.Now()
	h.run(ctx)
	rep.Seconds = time.Since(start).Seconds()
	if after, err := procfs.Read(os.Getpid()); err == nil {
		rep.LoadgenCPUSeconds = (after.CPU - self.CPU).Seconds()
	}
	rep.Hostile = h.shapes()
	rep.judge()
	return rep, ctx.Err()
}
