// Package loadreport is the load generator's report of a run: what it writes with --json, what the
// benchmark reads back, and the summary it prints for people.
package loadreport

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kubeguard/kubeguard/bench/loadgen/latency"
	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// Report is the result of a load run, as the load generator writes it with --json and the benchmark
// reads it. Durations are in the unit their name ends with.
type Report struct {
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
	Bodies                    []Body            `json:"bodies"`
	ClientCPUPerRequestMicros float64           `json:"clientCPUPerRequestMicros"`
	// Server is set when --pid was given.
	Server *Server `json:"server,omitempty"`
}

// Body is what one of the bodies sent in turn got.
type Body struct {
	Name    string         `json:"name"`
	Expect  review.Verdict `json:"expect"`
	Bytes   int            `json:"bytes"`
	Sent    int            `json:"sent"`
	Allowed int            `json:"allowed"`
	Denied  int            `json:"denied"`
}

// Server is the server process's cost over the measured requests.
type Server struct {
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

// WriteSummary prints the report for people.
func (r *Report) WriteSummary(w io.Writer) {
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
