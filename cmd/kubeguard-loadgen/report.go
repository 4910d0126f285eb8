package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kubeguard/kubeguard/cmd/kubeguard-loadgen/latency"
	"github.com/kubeguard/kubeguard/cmd/kubeguard-loadgen/procfs"
	"github.com/kubeguard/kubeguard/cmd/kubeguard-loadgen/review"
)

// report is the result of a run, as written with --json. Durations are in the unit their name ends with.
type report struct {
	Label       string  `json:"label,omitempty"`
	URL         string  `json:"url"`
	Connections int     `json:"connections"`
	Seconds     float64 `json:"seconds"`
	// Requests counts the measured requests, failed ones included.
	Requests                  int               `json:"requests"`
	Throughput                float64           `json:"requestsPerSecond"`
	Allowed                   int               `json:"allowed"`
	Denied                    int               `json:"denied"`
	Errors                    int               `json:"errors"`
	ErrorsByKind              map[string]int    `json:"errorsByKind,omitempty"`
	ErrorSamples              map[string]string `json:"errorSamples,omitempty"`
	Latency                   latency.Summary   `json:"latency"`
	Bodies                    []bodyReport      `json:"bodies"`
	ClientCPUPerRequestMicros float64           `json:"clientCPUPerRequestMicros"`
	// Server is set when --pid was given.
	Server *serverReport `json:"server,omitempty"`
}

type bodyReport struct {
	Name    string         `json:"name"`
	Expect  review.Verdict `json:"expect"`
	Bytes   int            `json:"bytes"`
	Sent    int            `json:"sent"`
	Allowed int            `json:"allowed"`
	Denied  int            `json:"denied"`
}

type serverReport struct {
	PID        int     `json:"pid"`
	CPUSeconds float64 `json:"cpuSeconds"`
	// CPUPerRequestMicros is the server's CPU time over the measured requests, divided by their number.
	CPUPerRequestMicros float64 `json:"cpuPerRequestMicros"`
	// CPUCores is the server's CPU time over the measured wall time: how many cores it kept busy.
	CPUCores float64 `json:"cpuCores"`
	// PeakRSSBytes is VmHWM at the end of the run: the highest resident memory since the process started.
	PeakRSSBytes int64 `json:"peakRSSBytes"`
	RSSBytes     int64 `json:"rssBytes"`
}

func newReport(opts *options, conns []*conn, elapsed, clientCPU time.Duration, before, after procfs.Sample) *report {
	rep := &report{
		Label:        opts.label,
		URL:          opts.url,
		Connections:  opts.connections,
		Seconds:      elapsed.Seconds(),
		ErrorsByKind: map[string]int{},
		ErrorSamples: map[string]string{},
		Bodies:       make([]bodyReport, len(opts.bodies)),
	}
	for i, b := range opts.bodies {
		rep.Bodies[i] = bodyReport{Name: b.Name, Expect: b.Expect, Bytes: b.Size()}
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
		rep.Server = &serverReport{
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

// writeSummary prints the report for people.
func (r *report) writeSummary(w io.Writer) {
	title := r.URL
	if r.Label != "" {
		title = r.Label + " (" + r.URL + ")"
	}
	fmt.Fprintf(w, "%s: %d connections, %.1fs\n", title, r.Connections, r.Seconds)
	fmt.Fprintf(w, "  requests   %d (%.0f/s), %d allowed, %d denied, %d errors\n", r.Requests, r.Throughput, r.Allowed, r.Denied, r.Errors)
	fmt.Fprintf(w, "  latency    mean %.2fms  p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n",
		r.Latency.MeanMillis, r.Latency.P50Millis, r.Latency.P90Millis, r.Latency.P99Millis, r.Latency.MaxMillis)
	if s := r.Server; s != nil {
		fmt.Fprintf(w, "  server     %.1fµs CPU/request, %.2f cores, peak RSS %.1f MiB (pid %d)\n",
			s.CPUPerRequestMicros, s.CPUCores, float64(s.PeakRSSBytes)/(1<<20), s.PID)
	}
	fmt.Fprintf(w, "  client     %.1fµs CPU/request\n", r.ClientCPUPerRequestMicros)
	if len(r.Bodies) > 1 {
		for _, b := range r.Bodies {
			fmt.Fprintf(w, "  body       %-28s %5d B  expect %-7s sent %d: %d allowed, %d denied\n", b.Name, b.Bytes, b.Expect, b.Sent, b.Allowed, b.Denied)
		}
	}
	kinds := slices.Collect(maps.Keys(r.ErrorsByKind))
	sort.Strings(kinds)
	for _, kind := range kinds {
		fmt.Fprintf(w, "  error      %d × %s, first: %s\n", r.ErrorsByKind[kind], kind, strings.TrimSpace(r.ErrorSamples[kind]))
	}
}
