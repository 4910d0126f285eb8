package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/attack"
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
	// Apart sends the hostile requests from a load generator of their own, as from an attacker's pod,
	// while another sends the ordinary reviews: thousands of hostile connections in the same process
	// would delay the ordinary reviews there, on the client side, and the figures would not be the
	// server's.
	Apart bool `json:"apart,omitempty"`
}

// attackRuns are the attacks `make bench` makes: first none (the baseline: ordinary reviews alone), then
// the largest reviews one at a time and many at once, stalled and trickling bodies at two connection
// counts, made-up kinds, and the connection attacks at twice the connections they were first found with:
// hoarded headers on the webhook and metrics ports, slowloris, stalled chunked bodies.
var attackRuns = []attackRun{
	{Name: "baseline: no attack", Scenario: attack.Baseline},
	{Name: "huge-containers, one at a time", Scenario: attack.HugeContainers, Connections: 1, Requests: 20, Single: true},
	{Name: "huge-containers", Scenario: attack.HugeContainers, Connections: 16},
	{Name: "stalled-bodies", Scenario: attack.StalledBodies, Connections: 24},
	{Name: "stalled-bodies", Scenario: attack.StalledBodies, Connections: 64},
	{Name: "trickling-bodies", Scenario: attack.TricklingBodies, Connections: 64},
	{Name: "made-up-kinds", Scenario: attack.MadeUpKinds, Connections: 8, Requests: 20_000},
	{Name: "header-hoarding", Scenario: attack.HeaderHoarding, Connections: 400, Apart: true},
	{Name: "metrics-header-hoarding", Scenario: attack.MetricsHeaderHoarding, Connections: 400, Apart: true},
	{Name: "slowloris", Scenario: attack.Slowloris, Connections: 3000, Apart: true},
	{Name: "stalled-chunked", Scenario: attack.StalledChunked, Connections: 16, Apart: true},
}

// apartLead is how long the ordinary reviews go out before hostile requests sent apart begin: the time to
// open their connections and get the first answers, as an API server has before an attack.
const apartLead = time.Second

// ordinaryRate is how many ordinary reviews per second go out during an attack: a busy cluster's
// admission traffic to one webhook replica, not a load test.
const ordinaryRate = 20

// attackResult is one attack's report.
type attackResult struct {
	Run    attackRun      `json:"run"`
	Report *attack.Report `json:"report"`
}

// runAttacks makes every attack whose name matches (all when match is nil), each on a fresh kubeguard with
// its metrics on.
func runAttacks(ctx context.Context, e *env, duration time.Duration, match *regexp.Regexp, progress io.Writer) ([]attackResult, error) {
	var results []attackResult
	for i, a := range attackRuns {
		if match != nil && !match.MatchString(a.Name) {
			continue
		}
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
	args := func(scenario attack.Scenario, conns int, d time.Duration) []string {
		return []string{
			"--attack", string(scenario),
			"--url", kg.url,
			"--ca", e.caFile,
			"--hostile-connections", strconv.Itoa(conns),
			"--hostile-requests", strconv.Itoa(a.Requests),
			"--duration", d.String(),
			"--rate", strconv.Itoa(ordinaryRate),
			"--pid", strconv.Itoa(kg.pid),
			"--metrics-url", kg.metricsURL,
			"--json", "-",
		}
	}
	var rep attack.Report
	if !a.Apart {
		if err := e.runLoadgen(ctx, args(a.Scenario, a.Connections, duration), attackBodies, progress, &rep); err != nil {
			return nil, err
		}
		return &rep, nil
	}

	// The ordinary reviews, with the server's figures, from one load generator; the hostile requests from
	// another, started apartLead later and ending as much earlier.
	ordinary := make(chan error, 1)
	go func() {
		ordinary <- e.runLoadgen(ctx, args(attack.Baseline, 0, duration+2*apartLead), attackBodies, progress, &rep)
	}()
	sleep(ctx, apartLead)
	var hostile attack.Report
	hostileErr := e.runLoadgen(ctx, append(args(a.Scenario, a.Connections, duration), "--hostile-only"), nil, progress, &hostile)
	if err := errors.Join(<-ordinary, hostileErr); err != nil {
		return nil, err
	}
	rep.Scenario, rep.Connections, rep.Hostile = a.Scenario, a.Connections, hostile.Hostile
	rep.Failures = append(hostile.Failures, rep.Failures...)
	rep.LoadgenCPUSeconds += hostile.LoadgenCPUSeconds
	return &rep, nil
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
