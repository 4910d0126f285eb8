package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/bench/loadgen/attack"
	"github.com/kubeguard/kubeguard/bench/loadgen/review"
	"github.com/kubeguard/kubeguard/e2e/framework"
)

// Any pod that reaches kubeguard's port can send it what the API server never would. Sent straight to the
// kubeguard process the suite runs, each attack must be dealt with (huge reviews refused with their UID,
// slow bodies cut off, made-up kinds adding nothing to /metrics) while ordinary reviews sent meanwhile get
// their UID and verdict back, and the process must live on and keep serving the API server.
func TestHostileRequests(t *testing.T) {
	ctx := context.Background()
	k := cluster.Kubeguard
	pid := k.Pid()
	require.NotZero(t, pid)
	target := attack.Target{
		URL:        k.URL(framework.ValidatePath),
		TLS:        &tls.Config{RootCAs: framework.CertPool(cluster.CA), MinVersion: tls.VersionTLS12},
		MetricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", k.MetricsPort),
		PID:        pid,
	}
	ordinary := benchReviews(t)
	// runFor makes an attack of at most requests hostile requests (0: no bound) started within duration.
	runFor := func(t *testing.T, scenario attack.Scenario, connections, requests int, duration time.Duration) *attack.Report {
		t.Helper()
		rep, err := attack.Run(ctx, target, attack.Options{
			Scenario: scenario, Connections: connections, Requests: requests,
			Duration: duration, Ordinary: ordinary, OrdinaryRate: 20, Timeout: 10 * time.Second,
		})
		require.NoError(t, err)
		var summary strings.Builder
		rep.WriteSummary(&summary)
		t.Log(summary.String())
		require.NotNil(t, rep.Server)
		assert.True(t, rep.Server.Alive, "kubeguard is gone")
		return rep
	}
	// run makes an attack of requests hostile requests; the minute is a bound, not an expectation: every
	// request is counted by requests long before.
	run := func(t *testing.T, scenario attack.Scenario, connections, requests int) *attack.Report {
		t.Helper()
		return runFor(t, scenario, connections, requests, time.Minute)
	}
	// assertOrdinary checks that ordinary reviews went out during the attack and all came back right.
	assertOrdinary := func(t *testing.T, rep *attack.Report) {
		t.Helper()
		assert.Positive(t, rep.Ordinary.Sent)
		assert.Equal(t, rep.Ordinary.Sent, rep.Ordinary.Correct, rep.Ordinary.ErrorSamples)
	}

	t.Run("huge reviews are refused with their UID", func(t *testing.T) {
		rep := run(t, attack.HugeContainers, 2, 6)
		assert.Empty(t, rep.Failures)
		require.Len(t, rep.Hostile, 2)
		for _, s := range rep.Hostile {
			assert.Equal(t, map[string]int{"refused with its UID, code 400": 3}, s.Outcomes, s.Name)
			assert.Contains(t, s.Samples["refused with its UID, code 400"], "more than 2000 containers")
		}
		assertOrdinary(t, rep)
	})

	// Four bodies of the largest size fit in kubeguard's body budget: each is read until its time is up.
	t.Run("trickling bodies are cut off", func(t *testing.T) {
		rep := run(t, attack.TricklingBodies, 4, 4)
		assert.Empty(t, rep.Failures)
		require.Len(t, rep.Hostile, 1)
		assert.Equal(t, 4, rep.Hostile[0].Sent)
		assert.Equal(t, map[string]int{"cut off: HTTP 400": 4}, rep.Hostile[0].Outcomes, rep.Hostile[0].Samples)
		assertOrdinary(t, rep)
	})

	t.Run("stalled bodies beyond the budget are cut off", func(t *testing.T) {
		rep := run(t, attack.StalledBodies, 24, 24)
		require.Len(t, rep.Hostile, 1)
		s := rep.Hostile[0]
		assert.Equal(t, 24, s.Sent)
		// Answered, or closed: a body one byte short of its length is closed only at the request's
		// deadline (docs/performance.md, "Hostile requests"); either way within the attack's bounded wait.
		for outcome, n := range s.Outcomes {
			assert.True(t, strings.HasPrefix(outcome, "cut off: "), "%d × %s: %s", n, outcome, s.Samples[outcome])
		}
		// Bodies beyond the budget wait for it, and so may an ordinary review that queues behind them: it
		// can be turned away at the HTTP level (503 busy, or 400 when its own time ran out while it waited),
		// which the API server treats as a failed call. None may get a wrong verdict or another UID.
		assert.Positive(t, rep.Ordinary.Sent)
		for kind, n := range rep.Ordinary.ErrorsByKind {
			assert.True(t, strings.HasPrefix(kind, "HTTP "), "%d × %s: %s", n, kind, rep.Ordinary.ErrorSamples[kind])
		}
	})

	// For a second rather than for a number of requests: those are answered too fast for ordinary reviews
	// to go out meanwhile.
	t.Run("made-up kinds add no series to /metrics", func(t *testing.T) {
		rep := runFor(t, attack.MadeUpKinds, 4, 0, time.Second)
		assert.Empty(t, rep.Failures)
		require.Len(t, rep.Hostile, 1)
		s := rep.Hostile[0]
		assert.Greater(t, s.Sent, 100)
		assert.Equal(t, map[string]int{"allowed with its UID": s.Sent}, s.Outcomes, "those sent and the warm-up")
		require.NotNil(t, rep.Metrics)
		assert.Positive(t, rep.Metrics.Before.Series)
		assert.Equal(t, rep.Metrics.Before.Series, rep.Metrics.After.Series)
		assert.Zero(t, rep.Metrics.After.MadeUpKinds)
		assertOrdinary(t, rep)
	})

	// The connection attacks, smaller than in `make bench`: each hostile connection must be cut off with the
	// answer expected of it (or closed; or, beyond the connection cap, kept waiting), every ordinary review
	// answered rightly meanwhile, and the process's memory bounded.
	// Each runs for two seconds, so that ordinary reviews go out meanwhile.
	connectionAttacks := []struct {
		scenario    attack.Scenario
		connections int
		want        string
	}{
		{attack.HeaderHoarding, 8, "cut off: HTTP 431"},
		{attack.MetricsHeaderHoarding, 8, "cut off: HTTP 431"},
		{attack.Slowloris, 64, "cut off: HTTP 400"},
		{attack.StalledChunked, 4, "cut off: HTTP 411"},
	}
	for _, a := range connectionAttacks {
		t.Run(string(a.scenario)+" is cut off", func(t *testing.T) {
			rep := runFor(t, a.scenario, a.connections, 0, 2*time.Second)
			assert.Empty(t, rep.Failures)
			require.Len(t, rep.Hostile, 1)
			s := rep.Hostile[0]
			assert.GreaterOrEqual(t, s.Sent, a.connections)
			assert.Positive(t, s.Outcomes[a.want], "%v %v", s.Outcomes, s.Samples)
			for outcome, n := range s.Outcomes {
				assert.Contains(t, []string{a.want, "cut off: connection closed", "could not connect"}, outcome, "%d × %s: %s", n, outcome, s.Samples[outcome])
			}
			assertOrdinary(t, rep)
			// A bound on memory, not a measurement: the chart's limit is 256 MiB.
			assert.Less(t, rep.Server.PeakRSSBytes, int64(200<<20), "peak RSS")
		})
	}

	// The same process still judges what the API server sends it.
	assert.Equal(t, pid, k.Pid(), "kubeguard was restarted")
	assert.True(t, k.Running(), "kubeguard is gone")
	ns := newNamespace(t, false)
	pods := workloads[0]
	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, "after-compliant", pods.build("after-compliant", compliantPodSpec())))
	assert.Zero(t, res.ExitCode, res.Stderr)
	res = kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, "after-noncompliant", pods.build("after-noncompliant", noncompliantPodSpec())))
	assert.NotZero(t, res.ExitCode)
	assert.Contains(t, res.Stderr, `denied the request`)
}

// benchReviews are ordinary reviews of the benchmark, made through a real API server, with their verdicts.
func benchReviews(t *testing.T) []review.Body {
	t.Helper()
	root, err := framework.RepoRoot()
	require.NoError(t, err)
	dir := filepath.Join(root, "bench", "webhook", "testdata")
	var args []string
	for _, b := range []string{"pod-compliant=allowed", "pod-noncompliant=denied", "deployment-noncompliant=denied", "rolebinding-compliant=allowed"} {
		name, verdict, _ := strings.Cut(b, "=")
		args = append(args, filepath.Join(dir, name+".json")+"="+verdict)
	}
	bodies, err := review.Load(args)
	require.NoError(t, err)
	return bodies
}
