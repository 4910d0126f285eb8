package attack

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/kubeguard/kubeguard/bench/loadgen/review"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

func TestMain(m *testing.M) {
	// controller-runtime complains, with a stack trace, when no logger is set.
	ctrllog.SetLogger(logr.Discard())
	os.Exit(m.Run())
}

// ordinaryBodies are two of the benchmark's reviews, made through a real API server, with their verdicts.
func ordinaryBodies(t *testing.T) []review.Body {
	t.Helper()
	dir := filepath.Join("..", "..", "webhook", "testdata")
	bodies, err := review.Load([]string{filepath.Join(dir, "pod-compliant.json") + "=allowed", filepath.Join(dir, "pod-noncompliant.json") + "=denied"})
	require.NoError(t, err)
	return bodies
}

// serve starts h over TLS on loopback and returns a target for it.
func serve(t *testing.T, h http.Handler) Target {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return Target{URL: srv.URL + webhook.ValidatePath, TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
}

// kubeguard serves kubeguard's handlers in this process, with its metrics on a server of their own.
func kubeguard(t *testing.T) Target {
	t.Helper()
	reg := prometheus.NewRegistry()
	target := serve(t, webhook.NewServer(webhook.ServerOptions{Policy: policy.Default(), Metrics: webhook.NewMetrics(reg)}).WebhookMux())
	metrics := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(metrics.Close)
	target.MetricsURL = metrics.URL + "/metrics"
	return target
}

func options(t *testing.T, scenario Scenario, connections, requests int) Options {
	return Options{
		Scenario: scenario, Connections: connections, Requests: requests, Duration: time.Minute,
		Ordinary: ordinaryBodies(t), OrdinaryRate: 50, Timeout: 10 * time.Second,
	}
}

// answerLike answers a review the way a webhook would that allows everything but the benchmark's
// non-compliant pod, or, with allowAll, everything.
func answerLike(w http.ResponseWriter, body []byte, allowAll bool) {
	var uid string
	if i := strings.Index(string(body), `"uid":"`); i >= 0 && len(body) >= i+7+len(review.UID{}) {
		uid = string(body[i+7 : i+7+len(review.UID{})])
	}
	allowed := allowAll || !strings.Contains(string(body), `"name":"node-debugger"`)
	fmt.Fprintf(w, `{"kind":"AdmissionReview","response":{"uid":%q,"allowed":%t,"status":{"code":403}}}`, uid, allowed)
}

func TestMaxBodyBytesIsKubeguards(t *testing.T) {
	assert.Equal(t, webhook.MaxRequestBytes, MaxBodyBytes)
}

func TestHugeReviewsFillTheLargestBody(t *testing.T) {
	for name, build := range map[string]func() (string, int){"empty": emptyContainers, "named": namedContainers} {
		text, containers := build()
		assert.LessOrEqual(t, len(text), MaxBodyBytes, name)
		assert.Greater(t, len(text), MaxBodyBytes-100, name)
		assert.Equal(t, containers, strings.Count(text, "{}")+strings.Count(text, `{"name":"debug-`), name)
	}
	_, empty := emptyContainers()
	_, named := namedContainers()
	assert.Greater(t, empty, 2_000_000)
	assert.Greater(t, named, 250_000)
}

func TestHugeContainersAreRefusedWithTheirUID(t *testing.T) {
	rep, err := Run(context.Background(), kubeguard(t), options(t, HugeContainers, 2, 4))
	require.NoError(t, err)
	assert.Empty(t, rep.Failures)
	require.Len(t, rep.Hostile, 2)
	for _, s := range rep.Hostile {
		assert.Equal(t, map[string]int{outcomeRefused(http.StatusBadRequest): 2}, s.Outcomes, s.Name)
		assert.Contains(t, s.Samples[outcomeRefused(http.StatusBadRequest)], "more than 2000 containers")
		assert.Less(t, s.MaxAnswerBytes, 4096)
	}
	assert.Equal(t, rep.Ordinary.Sent, rep.Ordinary.Correct)
}

func TestMadeUpKindsAddNoSeries(t *testing.T) {
	rep, err := Run(context.Background(), kubeguard(t), options(t, MadeUpKinds, 4, 200))
	require.NoError(t, err)
	assert.Empty(t, rep.Failures)
	require.Len(t, rep.Hostile, 1)
	assert.Equal(t, map[string]int{outcomeAllowed: 201}, rep.Hostile[0].Outcomes, "200 and the warm-up")
	require.NotNil(t, rep.Metrics)
	assert.Positive(t, rep.Metrics.Before.Series)
	assert.Equal(t, rep.Metrics.Before.Series, rep.Metrics.After.Series)
	assert.Zero(t, rep.Metrics.After.MadeUpKinds)
}

// A server that makes a series of every kind it is sent fails the attack.
func TestMetricsThatGrowFail(t *testing.T) {
	var mu sync.Mutex
	var kinds []string
	target := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if i := strings.Index(string(body), `"kind":"`+madeUpPrefix); i >= 0 {
			kind, _, _ := strings.Cut(string(body[i+8:]), `"`)
			mu.Lock()
			kinds = append(kinds, kind)
			mu.Unlock()
		}
		answerLike(w, body, false)
	}))
	metrics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range kinds {
			fmt.Fprintf(w, "requests_total{kind=%q} 1\n", k)
		}
	}))
	t.Cleanup(metrics.Close)
	target.MetricsURL = metrics.URL

	rep, err := Run(context.Background(), target, options(t, MadeUpKinds, 2, 20))
	require.NoError(t, err)
	assert.Equal(t, []string{"/metrics grew from 1 to 21 series", "/metrics names made-up kinds in 21 series"}, rep.Failures)
}

func TestOrdinaryReviewsWithTheWrongVerdictFail(t *testing.T) {
	target := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		answerLike(w, body, true)
	}))
	o := options(t, MadeUpKinds, 1, 1)
	// The non-compliant pod, which must be denied.
	o.Ordinary = o.Ordinary[1:]
	_, err := Run(context.Background(), target, o)
	assert.ErrorContains(t, err, "ordinary reviews fail before any attack")
}

func TestSlowBodiesAreCutOff(t *testing.T) {
	for _, scenario := range []Scenario{StalledBodies, TricklingBodies} {
		t.Run(string(scenario), func(t *testing.T) {
			target := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.ContentLength == MaxBodyBytes {
					// Like a server out of budget: answer without reading the body.
					http.Error(w, "busy", http.StatusServiceUnavailable)
					return
				}
				body, _ := io.ReadAll(r.Body)
				answerLike(w, body, false)
			}))
			rep, err := Run(context.Background(), target, options(t, scenario, 3, 3))
			require.NoError(t, err)
			assert.Empty(t, rep.Failures)
			require.Len(t, rep.Hostile, 1)
			s := rep.Hostile[0]
			assert.Equal(t, 3, s.Sent)
			for outcome := range s.Outcomes {
				assert.True(t, cutOff(outcome), outcome)
			}
		})
	}
}

// A connection the server neither answers nor closes is a failure, found once the wait is over.
func TestSlowBodiesLeftOpenFail(t *testing.T) {
	target := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != MaxBodyBytes {
			body, _ := io.ReadAll(r.Body)
			answerLike(w, body, false)
			return
		}
		// Read the body as slowly as it comes, forever: never answer.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	o := options(t, StalledBodies, 2, 2)
	o.Ordinary = o.Ordinary[:1]
	o.CutOffWait = 2 * time.Second
	rep, err := Run(context.Background(), target, o)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{outcomeStillOpen: 2}, rep.Hostile[0].Outcomes)
	require.Len(t, rep.Failures, 1)
	assert.Contains(t, rep.Failures[0], "stalled bodies: 2 × still open")
}

func TestValidate(t *testing.T) {
	good := Target{URL: "https://127.0.0.1:9443/validate", TLS: &tls.Config{}, MetricsURL: "http://[::1]:8080/metrics"}
	o := options(t, StalledBodies, 24, 24)
	require.NoError(t, o.Validate(&good))
	for name, tc := range map[string]struct {
		target Target
		change func(*Options)
	}{
		"another host":        {target: Target{URL: "https://example.com/validate", TLS: &tls.Config{}}},
		"another metrics":     {target: Target{URL: good.URL, TLS: &tls.Config{}, MetricsURL: "http://10.0.0.1:8080/metrics"}},
		"plain HTTP":          {target: Target{URL: "http://127.0.0.1:9443/validate", TLS: &tls.Config{}}},
		"no TLS":              {target: Target{URL: good.URL}},
		"unknown scenario":    {target: good, change: func(o *Options) { o.Scenario = "flood" }},
		"too many conns":      {target: good, change: func(o *Options) { o.Connections = MaxConnections + 1 }},
		"endless":             {target: good, change: func(o *Options) { o.Duration = 0 }},
		"no ordinary reviews": {target: good, change: func(o *Options) { o.Ordinary = nil }},
		"no hostile conns":    {target: good, change: func(o *Options) { o.Connections = 0 }},
		"hostile baseline":    {target: good, change: func(o *Options) { o.Scenario = Baseline }},
		"metrics unknown":     {target: Target{URL: good.URL, TLS: &tls.Config{}}, change: func(o *Options) { o.Scenario = MetricsHeaderHoarding }},
	} {
		t.Run(name, func(t *testing.T) {
			o := options(t, StalledBodies, 24, 24)
			if tc.change != nil {
				tc.change(&o)
			}
			assert.Error(t, o.Validate(&tc.target))
		})
	}
}

func TestCountMetrics(t *testing.T) {
	m := countMetrics([]byte("# HELP x y\n# TYPE x counter\nx{kind=\"Pod\"} 1\n\nx{kind=\"" + madeUpPrefix + "00\"} 2\n"))
	assert.Equal(t, MetricsSample{Bytes: 70, Series: 2, MadeUpKinds: 1}, m)
}

// kubeguardLimited serves kubeguard's handlers with kubeguard's connection limits, over TLS for the
// webhook and plain HTTP for its metrics.
func kubeguardLimited(t *testing.T) Target {
	t.Helper()
	reg := prometheus.NewRegistry()
	limits := webhook.DefaultConnLimits()
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = limits.Server(webhook.NewServer(webhook.ServerOptions{Policy: policy.Default(), Metrics: webhook.NewMetrics(reg)}).WebhookMux())
	srv.StartTLS()
	t.Cleanup(srv.Close)
	metrics := httptest.NewUnstartedServer(nil)
	metrics.Config = limits.Server(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	metrics.Start()
	t.Cleanup(metrics.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return Target{URL: srv.URL + webhook.ValidatePath, TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, MetricsURL: metrics.URL + "/metrics"}
}

// Each connection attack is cut off by kubeguard's limits, with the answer expected of it, while the
// ordinary reviews are answered.
func TestConnectionAttacksAreCutOff(t *testing.T) {
	for scenario, want := range map[Scenario]string{
		HeaderHoarding:        outcomeCutOffHTTP(http.StatusRequestHeaderFieldsTooLarge),
		MetricsHeaderHoarding: outcomeCutOffHTTP(http.StatusRequestHeaderFieldsTooLarge),
		Slowloris:             outcomeCutOffHTTP(http.StatusBadRequest),
		StalledChunked:        outcomeCutOffHTTP(http.StatusLengthRequired),
	} {
		t.Run(string(scenario), func(t *testing.T) {
			rep, err := Run(context.Background(), kubeguardLimited(t), options(t, scenario, 2, 4))
			require.NoError(t, err)
			assert.Empty(t, rep.Failures)
			require.Len(t, rep.Hostile, 1)
			s := rep.Hostile[0]
			assert.Equal(t, 4, s.Sent)
			// The server may close the connection before its answer is read.
			assert.Equal(t, 4, s.Outcomes[want]+s.Outcomes[outcomeClosed], s.Outcomes)
			assert.Positive(t, s.Outcomes[want], s.Outcomes)
			assert.Equal(t, rep.Ordinary.Sent, rep.Ordinary.Correct)
		})
	}
}

// The baseline sends nothing hostile, for its duration, while the ordinary reviews go out; each body's
// figures are reported.
func TestBaselineSendsOrdinaryReviewsAlone(t *testing.T) {
	o := options(t, Baseline, 0, 0)
	o.Duration = time.Second
	rep, err := Run(context.Background(), kubeguard(t), o)
	require.NoError(t, err)
	assert.Empty(t, rep.Failures)
	assert.Empty(t, rep.Hostile)
	assert.GreaterOrEqual(t, rep.Seconds, 1.0)
	require.Len(t, rep.Ordinary.Bodies, 2)
	sent := 0
	for _, b := range rep.Ordinary.Bodies {
		assert.Equal(t, b.Sent, b.Correct, b.Name)
		assert.Positive(t, b.Bytes, b.Name)
		sent += b.Sent
	}
	assert.Equal(t, rep.Ordinary.Sent, sent)
	pod, ok := rep.Ordinary.Body("pod-compliant")
	require.True(t, ok)
	assert.Positive(t, pod.Sent)
}

// Sent alone, the hostile requests are reported without ordinary reviews or the server's figures, which
// a baseline run measures meanwhile.
func TestHostileOnly(t *testing.T) {
	target := kubeguardLimited(t)
	o := options(t, StalledChunked, 2, 4)
	o.Ordinary, o.OrdinaryRate, o.HostileOnly = nil, 0, true
	rep, err := Run(context.Background(), target, o)
	require.NoError(t, err)
	assert.Empty(t, rep.Failures)
	require.Len(t, rep.Hostile, 1)
	assert.Equal(t, 4, rep.Hostile[0].Sent)
	assert.Zero(t, rep.Ordinary.Sent)
	assert.Nil(t, rep.Server)
	assert.Nil(t, rep.Metrics)

	for name, change := range map[string]func(*Options){
		"with ordinary reviews": func(o *Options) { o.Ordinary = ordinaryBodies(t) },
		"the baseline":          func(o *Options) { o.Scenario, o.Connections = Baseline, 0 },
	} {
		o := options(t, StalledChunked, 2, 4)
		o.Ordinary, o.HostileOnly = nil, true
		change(&o)
		assert.Error(t, o.Validate(&target), name)
	}
}
