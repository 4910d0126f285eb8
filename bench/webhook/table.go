package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/kubeguard/kubeguard/bench/loadgen/loadreport"
)

// summary is one side's rounds at one setting: the median of each figure, since a round disturbed by
// another process on the machine should move the result as little as possible.
type summary struct {
	Rounds        int     `json:"rounds"`
	Throughput    float64 `json:"requestsPerSecond"`
	P50Millis     float64 `json:"p50Millis"`
	P99Millis     float64 `json:"p99Millis"`
	CPUPerRequest float64 `json:"cpuPerRequestMicros"`
	// PeakRSSBytes is the highest of the rounds: the process's peak over the whole setting.
	PeakRSSBytes int64 `json:"peakRSSBytes"`
	// Errors, Allowed and Denied add up every round.
	Errors  int `json:"errors"`
	Allowed int `json:"allowed"`
	Denied  int `json:"denied"`
}

func summarize(rounds []*loadreport.Report) summary {
	s := summary{Rounds: len(rounds)}
	pick := func(f func(*loadreport.Report) float64) float64 {
		xs := make([]float64, len(rounds))
		for i, r := range rounds {
			xs[i] = f(r)
		}
		return median(xs)
	}
	s.Throughput = pick(func(r *loadreport.Report) float64 { return r.Throughput })
	s.P50Millis = pick(func(r *loadreport.Report) float64 { return r.Latency.P50Millis })
	s.P99Millis = pick(func(r *loadreport.Report) float64 { return r.Latency.P99Millis })
	s.CPUPerRequest = pick(func(r *loadreport.Report) float64 { return r.Server.CPUPerRequestMicros })
	for _, r := range rounds {
		s.PeakRSSBytes = max(s.PeakRSSBytes, r.Server.PeakRSSBytes)
		s.Errors += r.Errors
		s.Allowed += r.Allowed
		s.Denied += r.Denied
	}
	return s
}

// median of xs; the mean of the middle two for an even count. xs is sorted in place.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	mid := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[mid]
	}
	return (xs[mid-1] + xs[mid]) / 2
}

// comparison is every server at one connection count.
type comparison struct {
	Connections int     `json:"connections"`
	Kubeguard   summary `json:"kubeguard"`
	PSA         summary `json:"podSecurityWebhook"`
	// Floor is the floor webhook: the transport's cost alone, without judging.
	Floor summary `json:"floor"`
}

// mixed is kubeguard alone on the mixed bodies.
type mixed struct {
	Connections int     `json:"connections"`
	Kubeguard   summary `json:"kubeguard"`
}

// ratio is a/b, or 0 when b is 0 (a side that served nothing has no meaningful ratio).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// writeComparison prints the side-by-side table in Markdown, for docs/performance.md as it is.
func writeComparison(w io.Writer, rows []comparison) {
	fmt.Fprintln(w, "| conns | req/s kubeguard | req/s PSA | × | p50 ms kubeguard | p50 ms PSA | p99 ms kubeguard | p99 ms PSA | × | CPU µs/req kubeguard | CPU µs/req PSA | × | peak RSS MiB kubeguard | peak RSS MiB PSA | errors |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		k, p := r.Kubeguard, r.PSA
		fmt.Fprintf(w, "| %d | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f | %.2f | %.1f | %.1f | %d / %d |\n",
			r.Connections,
			k.Throughput, p.Throughput, ratio(k.Throughput, p.Throughput),
			k.P50Millis, p.P50Millis,
			k.P99Millis, p.P99Millis, ratio(k.P99Millis, p.P99Millis),
			k.CPUPerRequest, p.CPUPerRequest, ratio(k.CPUPerRequest, p.CPUPerRequest),
			mib(k.PeakRSSBytes), mib(p.PeakRSSBytes),
			k.Errors, p.Errors)
	}
}

// writeFloor prints kubeguard beside the floor webhook: what judging adds to the transport's cost.
func writeFloor(w io.Writer, rows []comparison) {
	fmt.Fprintln(w, "| conns | CPU µs/req kubeguard | CPU µs/req floor | × | req/s kubeguard | req/s floor | p99 ms kubeguard | p99 ms floor | peak RSS MiB kubeguard | peak RSS MiB floor | errors |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		k, f := r.Kubeguard, r.Floor
		fmt.Fprintf(w, "| %d | %.1f | %.1f | %.2f | %.0f | %.0f | %.2f | %.2f | %.1f | %.1f | %d / %d |\n",
			r.Connections, k.CPUPerRequest, f.CPUPerRequest, ratio(k.CPUPerRequest, f.CPUPerRequest),
			k.Throughput, f.Throughput, k.P99Millis, f.P99Millis, mib(k.PeakRSSBytes), mib(f.PeakRSSBytes), k.Errors, f.Errors)
	}
}

// writeMixed prints kubeguard's figures on the mixed bodies.
func writeMixed(w io.Writer, rows []mixed) {
	fmt.Fprintln(w, "| conns | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MiB | allowed | denied | errors |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		k := r.Kubeguard
		fmt.Fprintf(w, "| %d | %.0f | %.2f | %.2f | %.1f | %.1f | %d | %d | %d |\n",
			r.Connections, k.Throughput, k.P50Millis, k.P99Millis, k.CPUPerRequest, mib(k.PeakRSSBytes), k.Allowed, k.Denied, k.Errors)
	}
}

// goal is one of kubeguard's performance targets, judged on a run's figures.
type goal struct {
	name string
	got  string
	met  bool
}

// Targets, as ratios to the Pod Security webhook measured in the same run.
const (
	maxCPURatio        = 0.25
	minThroughputRatio = 2.0
	maxP99Ratio        = 0.5
	maxPeakRSSMiB      = 30.0
	// maxFloorCPURatio bounds kubeguard's CPU per compliant Pod against the floor webhook's: judging may add
	// at most a quarter to what reading and answering the review over TLS costs.
	maxFloorCPURatio = 1.25
)

// goals judges the targets at the highest connection count, and memory and errors over every run.
func goals(rows []comparison, mixedRows []mixed) []goal {
	if len(rows) == 0 {
		return nil
	}
	top := rows[len(rows)-1]
	k, p := top.Kubeguard, top.PSA
	var peak int64
	errs := 0
	for _, r := range rows {
		peak = max(peak, r.Kubeguard.PeakRSSBytes)
		errs += r.Kubeguard.Errors + r.PSA.Errors + r.Floor.Errors
	}
	for _, m := range mixedRows {
		peak = max(peak, m.Kubeguard.PeakRSSBytes)
		errs += m.Kubeguard.Errors
	}
	cpu, tput, p99 := ratio(k.CPUPerRequest, p.CPUPerRequest), ratio(k.Throughput, p.Throughput), ratio(k.P99Millis, p.P99Millis)
	floorCPU := ratio(k.CPUPerRequest, top.Floor.CPUPerRequest)
	at := fmt.Sprintf(" at %d connections", top.Connections)
	return []goal{
		{"CPU per request ≤ ¼ of PSA's" + at, fmt.Sprintf("%.2f×", cpu), cpu > 0 && cpu <= maxCPURatio},
		{"CPU per request ≤ 1.25× the floor webhook's" + at, fmt.Sprintf("%.2f×", floorCPU), floorCPU > 0 && floorCPU <= maxFloorCPURatio},
		{"throughput ≥ 2× PSA's" + at, fmt.Sprintf("%.2f×", tput), tput >= minThroughputRatio},
		{"p99 ≤ ½ of PSA's" + at, fmt.Sprintf("%.2f×", p99), p99 > 0 && p99 <= maxP99Ratio},
		{"kubeguard peak RSS ≤ 30 MiB", fmt.Sprintf("%.1f MiB", mib(peak)), peak > 0 && mib(peak) <= maxPeakRSSMiB},
		{"no errors, every verdict as expected", fmt.Sprintf("%d errors", errs), errs == 0},
	}
}

func writeGoals(w io.Writer, gs []goal) {
	fmt.Fprintln(w, "| target | measured | met |")
	fmt.Fprintln(w, "|---|---:|:---:|")
	for _, g := range gs {
		met := "no"
		if g.met {
			met = "yes"
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", g.name, g.got, met)
	}
}
