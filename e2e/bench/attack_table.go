package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Targets under attack.
const (
	// maxAttackRSSMiB bounds kubeguard's peak memory under any attack: the chart's memory limit is 256 MiB.
	maxAttackRSSMiB = 200.0
	// maxSingleSeconds and maxSingleMiB bound what one request of the largest size may cost.
	maxSingleSeconds = 3.0
	maxSingleMiB     = 64.0
)

// writeAttacks prints one row per attack in Markdown.
func writeAttacks(w io.Writer, results []attackResult) {
	fmt.Fprintln(w, "| attack | hostile conns | hostile requests and what became of them | slowest hostile s | ordinary answered as expected | ordinary p99 ms | peak RSS MiB | server CPU s | /metrics series before → after |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|---:|---:|---:|---:|")
	for _, res := range results {
		r := res.Report
		var outcomes []string
		slowest := 0.0
		for _, s := range r.Hostile {
			slowest = max(slowest, s.Latency.MaxMillis/1000)
			var parts []string
			for _, o := range slices.Sorted(maps.Keys(s.Outcomes)) {
				parts = append(parts, fmt.Sprintf("%d %s", s.Outcomes[o], o))
			}
			outcomes = append(outcomes, fmt.Sprintf("%s: %s", s.Name, strings.Join(parts, ", ")))
		}
		peak, cpu := "—", "—"
		if s := r.Server; s != nil {
			peak, cpu = fmt.Sprintf("%.1f", mib(s.PeakRSSBytes)), fmt.Sprintf("%.2f", s.CPUSeconds)
		}
		series := "—"
		if m := r.Metrics; m != nil {
			series = fmt.Sprintf("%d → %d", m.Before.Series, m.After.Series)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %.2f | %d / %d | %.1f | %s | %s | %s |\n",
			res.Run.Name, r.Connections, strings.Join(outcomes, "; "), slowest,
			r.Ordinary.Correct, r.Ordinary.Sent, r.Ordinary.Latency.P99Millis, peak, cpu, series)
	}
}

// attackGoals judges the targets on the attacks' figures.
func attackGoals(results []attackResult) []goal {
	var peak int64
	failures, ordinaryErrors, ordinarySent := 0, 0, 0
	singleSeconds, singleMiB := -1.0, -1.0
	seriesGrowth, madeUp := -1, 0
	for _, res := range results {
		r := res.Report
		if r.Server != nil {
			peak = max(peak, r.Server.PeakRSSBytes)
		}
		failures += len(r.Failures) - len(r.Ordinary.ErrorsByKind)
		ordinaryErrors += r.Ordinary.Errors
		ordinarySent += r.Ordinary.Sent
		if res.Run.Single && r.Server != nil {
			for _, s := range r.Hostile {
				singleSeconds = max(singleSeconds, s.Latency.MaxMillis/1000)
			}
			singleMiB = mib(r.Server.PeakRSSBytes - r.Server.RSSBeforeBytes)
		}
		if m := r.Metrics; m != nil && res.Run.Name == "made-up-kinds" {
			seriesGrowth = m.After.Series - m.Before.Series
			madeUp = m.After.MadeUpKinds
		}
	}
	return []goal{
		{fmt.Sprintf("peak RSS < %.0f MiB under every attack", maxAttackRSSMiB), fmt.Sprintf("%.1f MiB", mib(peak)), peak > 0 && mib(peak) < maxAttackRSSMiB},
		{fmt.Sprintf("one request of the largest size takes ≤ %.0f s", maxSingleSeconds), fmt.Sprintf("%.2f s", singleSeconds), singleSeconds >= 0 && singleSeconds <= maxSingleSeconds},
		{fmt.Sprintf("one request of the largest size costs ≤ %.0f MiB more than the server held before", maxSingleMiB), fmt.Sprintf("%.1f MiB", singleMiB), singleMiB >= 0 && singleMiB <= maxSingleMiB},
		{"/metrics does not grow with made-up kinds", fmt.Sprintf("%d series more, %d naming a made-up kind", seriesGrowth, madeUp), seriesGrowth == 0 && madeUp == 0},
		{"every hostile request refused or cut off, the server alive", fmt.Sprintf("%d failures", failures), failures == 0},
		{"every ordinary review answered with its UID and verdict", fmt.Sprintf("%d of %d not", ordinaryErrors, ordinarySent), ordinarySent > 0 && ordinaryErrors == 0},
	}
}
