package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/kubeguard/kubeguard/bench/loadgen/attack"
)

// Targets under attack.
const (
	// maxAttackRSSMiB bounds kubeguard's peak memory under any attack: the chart's memory limit is 256 MiB.
	maxAttackRSSMiB = 200.0
	// maxSingleSeconds and maxSingleMiB bound what one request of the largest size may cost.
	maxSingleSeconds = 3.0
	maxSingleMiB     = 64.0
	// maxOrdinaryP99Millis bounds the 99th percentile latency of the ordinary 3 KB and 100 KB reviews under
	// any attack: the chart's webhook timeout is 5 s, the API server's default 10 s.
	maxOrdinaryP99Millis = 1000.0
)

// p99 is the 99th percentile latency of the ordinary reviews of a body, in milliseconds; -1 when none
// was sent.
func p99(o *attack.Ordinary, b bodyFile) float64 {
	if fig, ok := o.Body(b.name); ok && fig.Sent > 0 {
		return fig.Latency.P99Millis
	}
	return -1
}

// latencyCell prints a latency in milliseconds, or a dash for none.
func latencyCell(ms float64) string {
	if ms < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f", ms)
}

// writeAttacks prints one row per attack in Markdown.
func writeAttacks(w io.Writer, results []attackResult) {
	fmt.Fprintln(w, "| attack | hostile conns | hostile requests and what became of them | slowest hostile s | ordinary answered as expected | ordinary p99 ms | 3 KB pod p99 ms | 100 KB Deployment p99 ms | peak RSS MiB | server CPU s | load generator CPU s | /metrics series before → after |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
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
		if len(outcomes) == 0 {
			outcomes = []string{"none"}
		}
		fmt.Fprintf(w, "| %s | %d | %s | %.2f | %d / %d | %.1f | %s | %s | %s | %s | %.2f | %s |\n",
			res.Run.Name, r.Connections, strings.Join(outcomes, "; "), slowest,
			r.Ordinary.Correct, r.Ordinary.Sent, r.Ordinary.Latency.P99Millis,
			latencyCell(p99(&r.Ordinary, podBody)), latencyCell(p99(&r.Ordinary, largeBody)), peak, cpu, r.LoadgenCPUSeconds, series)
	}
}

// attackGoals judges the targets on the attacks' figures. The goals of the one-at-a-time and made-up-kinds
// attacks are left out when those attacks were not made (-attack-match).
func attackGoals(results []attackResult) []goal {
	made := func(scenario attack.Scenario, single bool) bool {
		for _, res := range results {
			if res.Run.Scenario == scenario && res.Run.Single == single {
				return true
			}
		}
		return false
	}
	var peak int64
	failures, ordinaryErrors, ordinarySent := 0, 0, 0
	singleSeconds, singleMiB := -1.0, -1.0
	seriesGrowth, madeUp := -1, 0
	slowestP99, slowestAttack := -1.0, ""
	for _, res := range results {
		r := res.Report
		for _, b := range []bodyFile{podBody, largeBody} {
			if ms := p99(&r.Ordinary, b); ms > slowestP99 {
				slowestP99, slowestAttack = ms, fmt.Sprintf(" (%s, %s)", b.name, res.Run.Name)
			}
		}
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
	goals := []goal{
		{fmt.Sprintf("peak RSS < %.0f MiB under every attack", maxAttackRSSMiB), fmt.Sprintf("%.1f MiB", mib(peak)), peak > 0 && mib(peak) < maxAttackRSSMiB},
	}
	if made(attack.HugeContainers, true) {
		goals = append(goals,
			goal{fmt.Sprintf("one request of the largest size takes ≤ %.0f s", maxSingleSeconds), fmt.Sprintf("%.2f s", singleSeconds), singleSeconds >= 0 && singleSeconds <= maxSingleSeconds},
			goal{fmt.Sprintf("one request of the largest size costs ≤ %.0f MiB more than the server held before", maxSingleMiB), fmt.Sprintf("%.1f MiB", singleMiB), singleMiB >= 0 && singleMiB <= maxSingleMiB})
	}
	goals = append(goals, goal{fmt.Sprintf("ordinary 3 KB and 100 KB reviews p99 < %.0f s under every attack", maxOrdinaryP99Millis/1000), fmt.Sprintf("%.1f ms%s", slowestP99, slowestAttack), slowestP99 >= 0 && slowestP99 < maxOrdinaryP99Millis})
	if made(attack.MadeUpKinds, false) {
		goals = append(goals, goal{"/metrics does not grow with made-up kinds", fmt.Sprintf("%d series more, %d naming a made-up kind", seriesGrowth, madeUp), seriesGrowth == 0 && madeUp == 0})
	}
	return append(goals,
		goal{"every hostile request refused or cut off, the server alive", fmt.Sprintf("%d failures", failures), failures == 0},
		goal{"every ordinary review answered with its UID and verdict", fmt.Sprintf("%d of %d not", ordinaryErrors, ordinarySent), ordinarySent > 0 && ordinaryErrors == 0})
}
