package attack

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/kubeguard/kubeguard/bench/loadgen/latency"
)

// Report is what an attack did to the server, as written with --json.
type Report struct {
	Scenario    Scenario `json:"scenario"`
	Connections int      `json:"connections"`
	// Seconds is the length of the attack, from its first hostile request to the end of its last.
	Seconds  float64  `json:"seconds"`
	Hostile  []Shape  `json:"hostile"`
	Ordinary Ordinary `json:"ordinary"`
	// Server is set when the server's PID was given.
	Server *Server `json:"server,omitempty"`
	// Metrics is set when the server's /metrics URL was given.
	Metrics *Metrics `json:"metrics,omitempty"`
	// LoadgenCPUSeconds is the load generator's own CPU time during the attack: it shares the machine.
	LoadgenCPUSeconds float64 `json:"loadgenCPUSeconds"`
	// Failures lists what shows the server not coping; the run fails when there is any.
	Failures []string `json:"failures,omitempty"`
}

// Shape is one kind of hostile request and what became of those sent.
type Shape struct {
	Name       string `json:"name"`
	BodyBytes  int    `json:"bodyBytes"`
	Containers int    `json:"containers,omitempty"`
	Sent       int    `json:"sent"`
	// Outcomes counts the requests by what the server did with them.
	Outcomes map[string]int `json:"outcomes"`
	// Samples keeps the first message of each outcome.
	Samples map[string]string `json:"samples,omitempty"`
	// Latency is the time from sending to the answer or the cut-off.
	Latency        latency.Summary `json:"latency"`
	MaxAnswerBytes int             `json:"maxAnswerBytes"`

	expected func(outcome string) bool
}

// Ordinary is what became of the ordinary reviews sent during the attack.
type Ordinary struct {
	Rate float64 `json:"ratePerSecond"`
	// Connections counts the connections opened for them: an API server opens one only when every
	// connection it has is busy.
	Connections int `json:"connections"`
	Sent        int `json:"sent"`
	Correct     int `json:"correct"`
	Errors      int `json:"errors"`
	// ErrorsByKind names what came back instead of the expected answer.
	ErrorsByKind map[string]int    `json:"errorsByKind,omitempty"`
	ErrorSamples map[string]string `json:"errorSamples,omitempty"`
	// Latency counts from when a review was due, not from when it could be sent.
	Latency latency.Summary `json:"latency"`
	// Bodies are the same figures for each body.
	Bodies []OrdinaryBody `json:"bodies,omitempty"`
}

// OrdinaryBody is what became of the ordinary reviews of one body.
type OrdinaryBody struct {
	Name    string          `json:"name"`
	Bytes   int             `json:"bytes"`
	Sent    int             `json:"sent"`
	Correct int             `json:"correct"`
	Latency latency.Summary `json:"latency"`
}

// Body returns the figures of the body of that name, if it was sent.
func (o *Ordinary) Body(name string) (OrdinaryBody, bool) {
	for _, b := range o.Bodies {
		if b.Name == name {
			return b, true
		}
	}
	return OrdinaryBody{}, false
}

// Server is what /proc showed of the server.
type Server struct {
	PID   int  `json:"pid"`
	Alive bool `json:"alive"`
	// CPUSeconds is the server's CPU time during the attack.
	CPUSeconds float64 `json:"cpuSeconds"`
	// PeakRSSBytes is VmHWM after the attack: the most resident memory since the process started.
	PeakRSSBytes   int64 `json:"peakRSSBytes"`
	RSSBeforeBytes int64 `json:"rssBeforeBytes"`
	RSSAfterBytes  int64 `json:"rssAfterBytes"`
}

// Metrics are /metrics as the server started, just before the attack (once the ordinary reviews and any
// warm-up request have been answered), and after it.
type Metrics struct {
	Fresh  MetricsSample `json:"fresh"`
	Before MetricsSample `json:"before"`
	After  MetricsSample `json:"after"`
}

// judge lists the failures: hostile requests the server did not deal with as it should, ordinary reviews
// not answered as they should be, a server gone, metrics that grew with made-up kinds.
func (r *Report) judge() {
	for _, s := range r.Hostile {
		for _, outcome := range slices.Sorted(maps.Keys(s.Outcomes)) {
			if outcome != outcomeInterrupted && !s.expected(outcome) {
				r.Failures = append(r.Failures, fmt.Sprintf("%s: %d × %s (first: %s)", s.Name, s.Outcomes[outcome], outcome, s.Samples[outcome]))
			}
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(r.Ordinary.ErrorsByKind)) {
		r.Failures = append(r.Failures, fmt.Sprintf("ordinary reviews: %d × %s (first: %s)", r.Ordinary.ErrorsByKind[kind], kind, r.Ordinary.ErrorSamples[kind]))
	}
	if r.Server != nil && !r.Server.Alive {
		r.Failures = append(r.Failures, fmt.Sprintf("the server (pid %d) is gone", r.Server.PID))
	}
	if m := r.Metrics; m != nil && r.Scenario == MadeUpKinds {
		if m.After.Series > m.Before.Series {
			r.Failures = append(r.Failures, fmt.Sprintf("/metrics grew from %d to %d series", m.Before.Series, m.After.Series))
		}
		if m.After.MadeUpKinds > 0 {
			r.Failures = append(r.Failures, fmt.Sprintf("/metrics names made-up kinds in %d series", m.After.MadeUpKinds))
		}
	}
}

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// WriteSummary prints the report for people.
func (r *Report) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "%s: %d hostile connections, %.1fs\n", r.Scenario, r.Connections, r.Seconds)
	for _, s := range r.Hostile {
		fmt.Fprintf(w, "  hostile    %s, %d bytes", s.Name, s.BodyBytes)
		if s.Containers > 0 {
			fmt.Fprintf(w, ", %d containers", s.Containers)
		}
		fmt.Fprintf(w, ": %d sent, answered or cut off in p50 %.0fms, max %.0fms; largest answer %d bytes\n",
			s.Sent, s.Latency.P50Millis, s.Latency.MaxMillis, s.MaxAnswerBytes)
		for _, outcome := range slices.Sorted(maps.Keys(s.Outcomes)) {
			fmt.Fprintf(w, "             %6d × %s\n", s.Outcomes[outcome], outcome)
		}
	}
	o := r.Ordinary
	fmt.Fprintf(w, "  ordinary   %d sent at %g/s on %d new connections, %d answered as expected; p50 %.2fms, p99 %.2fms, max %.2fms\n",
		o.Sent, o.Rate, o.Connections, o.Correct, o.Latency.P50Millis, o.Latency.P99Millis, o.Latency.MaxMillis)
	for _, b := range o.Bodies {
		fmt.Fprintf(w, "             %s (%d bytes): %d sent, %d as expected; p99 %.2fms, max %.2fms\n",
			b.Name, b.Bytes, b.Sent, b.Correct, b.Latency.P99Millis, b.Latency.MaxMillis)
	}
	if s := r.Server; s != nil {
		fmt.Fprintf(w, "  server     pid %d, alive %t, %.2fs CPU, peak RSS %.1f MiB, RSS %.1f MiB before, %.1f MiB after\n",
			s.PID, s.Alive, s.CPUSeconds, mib(s.PeakRSSBytes), mib(s.RSSBeforeBytes), mib(s.RSSAfterBytes))
	}
	fmt.Fprintf(w, "  loadgen    %.2fs CPU\n", r.LoadgenCPUSeconds)
	if m := r.Metrics; m != nil {
		fmt.Fprintf(w, "  /metrics   %d series (%d bytes) fresh, %d (%d bytes) before, %d (%d bytes) after\n",
			m.Fresh.Series, m.Fresh.Bytes, m.Before.Series, m.Before.Bytes, m.After.Series, m.After.Bytes)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(w, "  FAILED     %s\n", strings.TrimSpace(f))
	}
}
