package main

import (
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/latency"
	"github.com/kubeguard/kubeguard/bench/loadgen/loadreport"
	"github.com/kubeguard/kubeguard/bench/loadgen/procfs"
)

// newReport adds up what the connections counted.
func newReport(opts *options, conns []*conn, elapsed, clientCPU time.Duration, before, after procfs.Sample) *loadreport.Report {
	rep := &loadreport.Report{
		Label:        opts.label,
		URL:          opts.url,
		Connections:  opts.connections,
		Seconds:      elapsed.Seconds(),
		ErrorsByKind: map[string]int{},
		ErrorSamples: map[string]string{},
		Bodies:       make([]loadreport.Body, len(opts.bodies)),
	}
	for i, b := range opts.bodies {
		rep.Bodies[i] = loadreport.Body{Name: b.Name, Expect: b.Expect, Bytes: b.Size()}
	}
	var all []time.Duration
	for _, c := range conns {
		s := &c.stats
		all = append(all, s.latencies...)
		rep.Allowed += s.allowed
		rep.Denied += s.denied
		for kind, n := range s.errors {
			rep.ErrorsByKind[kind] += n
			rep.Errors += n
			if _, ok := rep.ErrorSamples[kind]; !ok {
				rep.ErrorSamples[kind] = s.samples[kind]
			}
		}
		for i, n := range s.perBody {
			rep.Bodies[i].Sent += n.sent
			rep.Bodies[i].Allowed += n.allowed
			rep.Bodies[i].Denied += n.denied
		}
	}
	rep.Requests = len(all)
	rep.Latency = latency.Summarize(all)
	if elapsed > 0 {
		rep.Throughput = float64(rep.Requests) / elapsed.Seconds()
	}
	if rep.Requests > 0 {
		rep.ClientCPUPerRequestMicros = micros(clientCPU) / float64(rep.Requests)
	}
	if opts.pid != 0 {
		cpu := after.CPU - before.CPU
		rep.Server = &loadreport.Server{
			PID:          opts.pid,
			CPUSeconds:   cpu.Seconds(),
			CPUCores:     cpu.Seconds() / elapsed.Seconds(),
			PeakRSSBytes: after.PeakRSS,
			RSSBytes:     after.RSS,
		}
		if rep.Requests > 0 {
			rep.Server.CPUPerRequestMicros = micros(cpu) / float64(rep.Requests)
		}
	}
	return rep
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
