package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/go-logr/logr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/kubeguard/kubeguard/bench/loadgen/attack"
	"github.com/kubeguard/kubeguard/bench/loadgen/loadreport"
	"github.com/kubeguard/kubeguard/bench/loadgen/review"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

func TestMain(m *testing.M) {
	// controller-runtime complains, with a stack trace, when no logger is set.
	ctrllog.SetLogger(logr.Discard())
	os.Exit(m.Run())
}

// testdata holds the benchmark's bodies, made through a real API server.
var testdata = filepath.Join("..", "webhook", "testdata")

// serve starts h over TLS and returns its URL and a CA file that trusts it.
func serve(t *testing.T, h http.Handler) (url, caFile string) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.crt")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644))
	return srv.URL + webhook.ValidatePath, caFile
}

func kubeguard(t *testing.T) (url, caFile string) {
	return serve(t, webhook.NewServer(webhook.ServerOptions{Policy: policy.Default()}).WebhookMux())
}

// runJSON runs the load generator and returns its exit code and JSON report.
func runJSON(t *testing.T, args ...string) (int, loadreport.Report, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append(args, "--json", "-"), &stdout, &stderr)
	var rep loadreport.Report
	if code != exitUsage {
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep), stdout.String())
	}
	return code, rep, stderr.String()
}

func TestMixedBodiesGetTheirVerdicts(t *testing.T) {
	url, ca := kubeguard(t)
	code, rep, summary := runJSON(t, "--url", url, "--ca", ca, "--connections", "4", "--requests", "210", "--warmup", "0",
		"--pid", "0",
		"--body", filepath.Join(testdata, "pod-compliant.json")+"=allowed",
		"--body", filepath.Join(testdata, "deployment-noncompliant.json")+"=denied",
		"--body", filepath.Join(testdata, "rolebinding-noncompliant.json")+"=denied",
	)
	require.Equal(t, exitOK, code, summary)
	assert.Equal(t, 210, rep.Requests)
	assert.Zero(t, rep.Errors, rep.ErrorSamples)
	assert.Equal(t, 210, rep.Allowed+rep.Denied)
	require.Len(t, rep.Bodies, 3)
	sent := 0
	for _, b := range rep.Bodies {
		sent += b.Sent
		if b.Expect == review.Allowed {
			assert.Equal(t, b.Sent, b.Allowed, b.Name)
		} else {
			assert.Equal(t, b.Sent, b.Denied, b.Name)
		}
		assert.Positive(t, b.Sent, "every body is sent: %s", b.Name)
	}
	assert.Equal(t, 210, sent)
	assert.Positive(t, rep.Throughput)
	assert.Positive(t, rep.Latency.P99Millis)
	assert.GreaterOrEqual(t, rep.Latency.P99Millis, rep.Latency.P50Millis)
	assert.Nil(t, rep.Server, "no --pid, no server figures")
	assert.Contains(t, summary, "210 (")
}

func TestServerFiguresFromProc(t *testing.T) {
	// The test process serves the requests itself, so its own /proc entries are the server's.
	url, ca := kubeguard(t)
	code, rep, summary := runJSON(t, "--url", url, "--ca", ca, "--requests", "50", "--warmup", "0",
		"--pid", strconv.Itoa(os.Getpid()), "--body", filepath.Join(testdata, "pod-compliant.json")+"=allowed")
	require.Equal(t, exitOK, code, summary)
	require.NotNil(t, rep.Server)
	assert.Equal(t, os.Getpid(), rep.Server.PID)
	assert.Positive(t, rep.Server.PeakRSSBytes)
	assert.GreaterOrEqual(t, rep.Server.CPUPerRequestMicros, 0.0)
	assert.Contains(t, summary, "peak RSS")
}

func TestWrongVerdictIsAnError(t *testing.T) {
	url, ca := kubeguard(t)
	code, rep, summary := runJSON(t, "--url", url, "--ca", ca, "--requests", "20", "--warmup", "0",
		"--body", filepath.Join(testdata, "pod-noncompliant.json")+"=allowed")
	assert.Equal(t, exitFailures, code)
	assert.Equal(t, 20, rep.Errors)
	assert.Equal(t, map[string]int{errVerdict: 20}, rep.ErrorsByKind)
	assert.Contains(t, rep.ErrorSamples[errVerdict], "pod-noncompliant: denied, want allowed")
	assert.Contains(t, summary, "20 × verdict")
}

func TestBadAnswersAreErrors(t *testing.T) {
	body := filepath.Join(testdata, "rolebinding-compliant.json") + "=allowed"
	for name, tc := range map[string]struct {
		handler http.HandlerFunc
		kind    string
	}{
		"another UID": {func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"someone-else","allowed":true}}`))
		}, errUID},
		"not a review": {func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"ok":true}`)) }, errDecode},
		"a 500":        {func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }, errStatus},
	} {
		t.Run(name, func(t *testing.T) {
			url, ca := serve(t, tc.handler)
			code, rep, _ := runJSON(t, "--url", url, "--ca", ca, "--requests", "5", "--warmup", "0", "--body", body)
			assert.Equal(t, exitFailures, code)
			assert.Equal(t, map[string]int{tc.kind: 5}, rep.ErrorsByKind)
		})
	}
}

func TestServerGoneIsATransportError(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	url, ca := srv.URL+webhook.ValidatePath, filepath.Join(t.TempDir(), "ca.crt")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644))
	srv.Close()

	code, rep, _ := runJSON(t, "--url", url, "--ca", ca, "--requests", "3", "--warmup", "0",
		"--body", filepath.Join(testdata, "pod-compliant.json")+"=allowed")
	assert.Equal(t, exitFailures, code)
	assert.Equal(t, map[string]int{errTransport: 3}, rep.ErrorsByKind)
	assert.Contains(t, rep.ErrorSamples[errTransport], "connection refused")
}

func TestUsageErrors(t *testing.T) {
	_, ca := kubeguard(t)
	body := filepath.Join(testdata, "pod-compliant.json") + "=allowed"
	for name, args := range map[string][]string{
		"no URL":           {"--ca", ca, "--body", body},
		"plain HTTP":       {"--url", "http://127.0.0.1:1/validate", "--ca", ca, "--body", body},
		"no CA":            {"--url", "https://127.0.0.1:1/validate", "--body", body},
		"no body":          {"--url", "https://127.0.0.1:1/validate", "--ca", ca},
		"endless":          {"--url", "https://127.0.0.1:1/validate", "--ca", ca, "--body", body, "--duration", "11m"},
		"no connections":   {"--url", "https://127.0.0.1:1/validate", "--ca", ca, "--body", body, "--connections", "0"},
		"missing CA file":  {"--url", "https://127.0.0.1:1/validate", "--ca", ca + ".missing", "--body", body},
		"extra arguments":  {"--url", "https://127.0.0.1:1/validate", "--ca", ca, "--body", body, "extra"},
		"unparsable body":  {"--url", "https://127.0.0.1:1/validate", "--ca", ca, "--body", ca + "=allowed"},
		"unknown verdicts": {"--url", "https://127.0.0.1:1/validate", "--ca", ca, "--body", body + "x"},
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, exitUsage, run(context.Background(), args, &stdout, &stderr))
			assert.NotEmpty(t, stderr.String())
		})
	}
}

func TestAttackMode(t *testing.T) {
	url, ca := kubeguard(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--attack", "made-up-kinds", "--url", url, "--ca", ca,
		"--hostile-connections", "2", "--hostile-requests", "30", "--duration", "30s",
		"--body", filepath.Join(testdata, "pod-compliant.json") + "=allowed", "--json", "-"}, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	var rep attack.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep), stdout.String())
	assert.Equal(t, attack.MadeUpKinds, rep.Scenario)
	require.Len(t, rep.Hostile, 1)
	assert.Equal(t, 31, rep.Hostile[0].Sent, "30 and the warm-up")
	assert.Contains(t, stderr.String(), "made-up-kinds: 2 hostile connections")

	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"--attack", "flood", "--url", url, "--ca", ca,
		"--body", filepath.Join(testdata, "pod-compliant.json") + "=allowed"}, &stdout, &stderr)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr.String(), `unknown attack "flood"`)
}
