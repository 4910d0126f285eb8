package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/cmd/kubeguard-loadgen/attack"
	"github.com/kubeguard/kubeguard/cmd/kubeguard-loadgen/latency"
)

// attacked is an attack's report with the figures the table and the goals read.
func attacked(run attackRun, peakMiB, beforeMiB int64, slowestMillis float64, ordinaryErrors int, seriesBefore, seriesAfter int) attackResult {
	r := &attack.Report{
		Scenario:    run.Scenario,
		Connections: run.Connections,
		Hostile: []attack.Shape{{
			Name: "empty containers", Sent: 3, Outcomes: map[string]int{"refused with its UID, code 400": 3},
			Latency: latency.Summary{MaxMillis: slowestMillis},
		}},
		Ordinary: attack.Ordinary{Sent: 100, Correct: 100 - ordinaryErrors, Errors: ordinaryErrors, Latency: latency.Summary{P99Millis: 4.5}},
		Server:   &attack.Server{Alive: true, PeakRSSBytes: peakMiB << 20, RSSBeforeBytes: beforeMiB << 20, CPUSeconds: 1.25},
		Metrics:  &attack.Metrics{Before: attack.MetricsSample{Series: seriesBefore}, After: attack.MetricsSample{Series: seriesAfter}},
	}
	if ordinaryErrors > 0 {
		r.Ordinary.ErrorsByKind = map[string]int{"HTTP 503, want allowed with its UID": ordinaryErrors}
		r.Failures = []string{"ordinary reviews: busy"}
	}
	return attackResult{Run: run, Report: r}
}

func TestAttackGoals(t *testing.T) {
	single, many, kinds := attackRuns[0], attackRuns[1], attackRuns[len(attackRuns)-1]
	require.True(t, single.Single)
	require.Equal(t, attack.MadeUpKinds, kinds.Scenario)

	good := []attackResult{
		attacked(single, 60, 20, 150, 0, 120, 120),
		attacked(many, 150, 25, 900, 0, 120, 121),
		attacked(kinds, 40, 25, 5, 0, 130, 130),
	}
	for _, g := range attackGoals(good) {
		assert.True(t, g.met, "%s: %s", g.name, g.got)
	}

	bad := []attackResult{
		attacked(single, 120, 20, 4000, 0, 120, 120),
		attacked(many, 210, 25, 900, 7, 120, 121),
		attacked(kinds, 40, 25, 5, 0, 130, 170),
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
		"/metrics does not grow with made-up kinds: 40 series more, 0 naming a made-up kind",
		"every ordinary review answered with its UID and verdict: 7 of 300 not",
	}, missed)
}

func TestAttackTableIsMarkdown(t *testing.T) {
	var md strings.Builder
	writeAttacks(&md, []attackResult{attacked(attackRuns[1], 150, 25, 900, 2, 120, 121)})
	assert.Contains(t, md.String(), "| huge-containers | 16 | empty containers: 3 refused with its UID, code 400 | 0.90 | 98 / 100 | 4.5 | 150.0 | 1.25 | 120 → 121 |")
}
