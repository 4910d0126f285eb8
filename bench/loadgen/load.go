package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/loadreport"
	"github.com/kubeguard/kubeguard/bench/loadgen/procfs"
	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// options are a run's settings, checked by validate.
type options struct {
	url         string
	trust       *x509.CertPool
	bodies      []review.Body
	connections int
	duration    time.Duration
	requests    int
	warmup      time.Duration
	timeout     time.Duration
	pid         int
	label       string
}

// phase is where a run is; a request belongs to the phase it started in.
type phase int32

const (
	warmingUp phase = iota
	measuring
	stopping
)

// loadRun is the state shared by the connections.
type loadRun struct {
	opts  *options
	phase atomic.Int32
	// budget is what is left of --requests; unused when running for a duration.
	budget atomic.Int64
}

// runLoad warms up, measures, and reports. It returns an error only when the run could not be made, never
// for failed requests: those are counted in the report.
func runLoad(ctx context.Context, opts *options) (*loadreport.Report, error) {
	tlsConfig := &tls.Config{RootCAs: opts.trust, MinVersion: tls.VersionTLS12}
	r := &loadRun{opts: opts}
	r.budget.Store(int64(opts.requests))

	conns := make([]*conn, opts.connections)
	for i := range conns {
		c, err := newConn(r, uint32(i), tlsConfig)
		if err != nil {
			return nil, err
		}
		conns[i] = c
	}
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(c.loop)
	}

	// done closes once every connection has stopped: after the deadline, or once the request budget is spent.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	stop := func() { r.phase.Store(int32(stopping)) }
	select {
	case <-time.After(opts.warmup):
	case <-ctx.Done():
		stop()
		<-done
		return nil, ctx.Err()
	}

	serverBefore, err := procfs.Read(opts.pid)
	if err != nil {
		stop()
		<-done
		return nil, err
	}
	clientBefore := clientCPU()
	start := time.Now()
	r.phase.Store(int32(measuring))

	var deadline <-chan time.Time
	if opts.requests == 0 {
		deadline = time.After(opts.duration)
	}
	select {
	case <-deadline:
		stop()
		<-done
	case <-done: // the request budget is spent
	case <-ctx.Done():
		stop()
		<-done
		return nil, ctx.Err()
	}
	elapsed := time.Since(start)
	clientAfter := clientCPU()
	serverAfter, err := procfs.Read(opts.pid)
	if err != nil {
		return nil, fmt.Errorf("the server (pid %d) is gone: %w", opts.pid, err)
	}
	for _, c := range conns {
		c.close()
	}
	return newReport(opts, conns, elapsed, clientAfter-clientBefore, serverBefore, serverAfter), nil
}

// next says whether a connection sends another request, and in which phase.
func (r *loadRun) next() (phase, bool) {
	p := phase(r.phase.Load())
	switch {
	case p == stopping:
		return p, false
	case p == measuring && r.opts.requests > 0:
		if r.budget.Add(-1) < 0 {
			r.phase.Store(int32(stopping))
			return stopping, false
		}
	}
	return p, true
}

// clientCPU is this process's own CPU time, to show what the client takes from the shared cores.
func clientCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
