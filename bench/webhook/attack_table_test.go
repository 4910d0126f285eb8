package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/bench/loadgen/attack"
	"github.com/kubeguard/kubeguard/bench/loadgen/latency"
)

// runOf is the attack run of that scenario, the first one when there are several.
func runOf(t *testing.T, scenario attack.Scenario) attackRun {
	t.Helper()
	for _, r := range attackRuns {
		if r.Scenario == scenario {
			return r
		}
	}
	require.Failf(t, "no such attack run", "%s", scenario)
	return attackRun{}
}

// attacked is an attack's report with the figures the table and the goals read; the ordinary 3 KB and
// 100 KB reviews took podMillis and largeMillis at the 99th percentile.
func attacked(run attackRun, peakMiB, beforeMiB int64, slowestMillis float64, ordinaryErrors int, seriesBefore, seriesAfter int, podMillis, largeMillis float64) attackResult {
	r := &attack.Report{
		Scenario:          run.Scenario,
		Connections:       run.Connections,
		LoadgenCPUSeconds: 2.5,
		Hostile: []attack.Shape{{
			Name: "empty containers", Sent: 3, Outcomes: map[string]int{"refused with its UID, code 400": 3},
			Latency: latency.Summary{MaxMillis: slowestMillis},
		}},
		Ordinary: attack.Ordinary{Sent: 100, Correct: 100 - ordinaryErrors, Errors: ordinaryErrors, Latency: latency.Summary{P99Millis: 4.5}, Bodies: []attack.OrdinaryBody{
			{Name: podBody.name, Sent: 50, Correct: 50, Latency: latency.Summary{P99Millis: podMillis}},
			{Name: largeBody.name, Sent: 50, Correct: 50, Latency: latency.Summary{P99Millis: largeMillis}},
		}},
		Server:  &attack.Server{Alive: true, PeakRSSBytes: peakMiB << 20, RSSBeforeBytes: beforeMiB << 20, CPUSeconds: 1.25},
		Metrics: &attack.Metrics{Before: attack.MetricsSample{Series: seriesBefore}, After: attack.MetricsSample{Series: seriesAfter}},
	}
	if ordinaryErrors > 0 {
		r.Ordinary.ErrorsByKind = map[string]int{"HTTP 503, want allowed with its UID": ordinaryErrors}
		r.Failures = []string{"ordinary reviews: busy"}
	}
	return attackResult{Run: run, Report: r}
}

func TestAttackGoals(t *testing.T) {
	single, many, kinds, slowloris := attackRuns[1], attackRuns[2], runOf(t, attack.MadeUpKinds), runOf(t, attack.Slowloris)
	require.True(t, single.Single)
	require.Equal(t, attack.Baseline, attackRuns[0].Scenario, "the baseline comes first, to compare the attacks with")

	good := []attackResult{
		attacked(attackRuns[0], 30, 20, 0, 0, 120, 120, 3, 5),
		attacked(single, 60, 20, 150, 0, 120, 120, 4, 6),
		attacked(many, 150, 25, 900, 0, 120, 121, 400, 900),
		attacked(kinds, 40, 25, 5, 0, 130, 130, 3, 5),
		attacked(slowloris, 120, 25, 2000, 0, 120, 121, 30, 50),
	}
	for _, g := range attackGoals(good) {
		assert.True(t, g.met, "%s: %s", g.name, g.got)
	}

	bad := []attackResult{
		attacked(single, 120, 20, 4000, 0, 120, 120, 4, 6),
		attacked(many, 210, 25, 900, 7, 120, 121, 400, 900),
		attacked(kinds, 40, 25, 5, 0, 130, 170, 3, 5),
		attacked(slowloris, 120, 25, 2000, 0, 120, 121, 30, 4800),
	}
	var missed []string
	for _, g := range attackGoals(bad) {
		if !g.met {
			missed = append(missed, g.name+": "+g.got)
		}
	}
	assert.Equal(t, []string{
		"peak RSS < 200 MiB under every attack: 210.0 MiB",
		"one request of the largest size takes ≤ 3 s: 4.00 s",
		"one request of the largest size costs ≤ 64 MiB more than the server held before: 100.0 MiB",
		"ordinary 3 KB and 100 KB reviews p99 < 1 s under every attack: 4800.0 ms (deployment-large, slowloris)",
		"/metrics does not grow with made-up kinds: 40 series more, 0 naming a made-up kind",
		"every ordinary review answered with its UID and verdict: 7 of 400 not",
	}, missed)
}

func TestAttackTableIsMarkdown(t *testing.T) {
	var md strings.Builder
	writeAttacks(&md, []attackResult{attacked(attackRuns[2], 150, 25, 900, 2, 120, 121, 12.25, 250)})
	assert.Contains(t, md.String(), "| huge-containers | 16 | empty containers: 3 refused with its UID, code 400 | 0.90 | 98 / 100 | 4.5 | 12.2 | 250.0 | 150.0 | 1.25 | 2.50 | 120 → 121 |")
}
