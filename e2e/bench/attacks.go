package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/kubeguard/kubeguard/cmd/kubeguard-loadgen/attack"
)

// attackRun is one attack on a fresh kubeguard: the process's peak memory is then the attack's own.
type attackRun struct {
	Name        string          `json:"name"`
	Scenario    attack.Scenario `json:"scenario"`
	Connections int             `json:"connections"`
	// Requests bounds the hostile requests; 0 leaves it to the duration.
	Requests int `json:"requests"`
	// single marks the run whose requests go one at a time: its figures are those of one request.
	Single bool `json:"single,omitempty"`
}

// attackRuns are the attacks `make bench` makes: the largest reviews one at a time and many at once,
// stalled and trickling bodies at two connection counts, and made-up kinds.
var attackRuns = []attackRun{
	{Name: "huge-containers, one at a time", Scenario: attack.HugeContainers, Connections: 1, Requests: 20, Single: true},
	{Name: "huge-containers", Scenario: attack.HugeContainers, Connections: 16},
	{Name: "stalled-bodies", Scenario: attack.StalledBodies, Connections: 24},
	{Name: "stalled-bodies", Scenario: attack.StalledBodies, Connections: 64},
	{Name: "trickling-bodies", Scenario: attack.TricklingBodies, Connections: 64},
	{Name: "made-up-kinds", Scenario: attack.MadeUpKinds, Connections: 8, Requests: 20_000},
}

// ordinaryRate is how many ordinary reviews per second go out during an attack: a busy cluster's
// admission traffic to one webhook replica, not a load test.
const ordinaryRate = 20

// attackResult is one attack's report.
type attackResult struct {
	Run    attackRun      `json:"run"`
	Report *attack.Report `json:"report"`
}

// runAttacks makes every attack, each on a fresh kubeguard with its metrics on.
func runAttacks(ctx context.Context, e *env, duration time.Duration, progress io.Writer) ([]attackResult, error) {
	var results []attackResult
	for i, a := range attackRuns {
		fmt.Fprintf(progress, "bench: attack %d/%d: %s at %d connections\n", i+1, len(attackRuns), a.Name, a.Connections)
		rep, err := e.attack(ctx, a, duration, fmt.Sprintf("attack-%d", i+1), progress)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Name, err)
		}
		results = append(results, attackResult{Run: a, Report: rep})
	}
	return results, nil
}

// attack starts kubeguard, runs the load generator's attack on it, and stops it.
func (e *env) attack(ctx context.Context, a attackRun, duration time.Duration, tag string, progress io.Writer) (_ *attack.Report, err error) {
	kg, err := e.startKubeguard(ctx, tag)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, kg.stop()) }()
	args := []string{
		"--attack", string(a.Scenario),
		"--url", kg.url,
		"--ca", e.caFile,
		"--hostile-connections", strconv.Itoa(a.Connections),
		"--hostile-requests", strconv.Itoa(a.Requests),
		"--duration", duration.String(),
		"--rate", strconv.Itoa(ordinaryRate),
		"--pid", strconv.Itoa(kg.pid),
		"--metrics-url", kg.metricsURL,
		"--json", "-",
	}
	var rep attack.Report
	if err := e.runLoadgen(ctx, args, mixedBodies, progress, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}
