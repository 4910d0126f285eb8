package attack

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/latency"
	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// hostile is a scenario's hostile requests: one worker per connection, each making attempts in turn until
// the run's request budget or duration is spent.
type hostile struct {
	target *Target
	opts   *Options
	all    []*shape
	// attempt makes one hostile request on a worker and records its outcome.
	attempt func(ctx context.Context, w *worker, seq uint64)
	// warmup, when set, makes the requests that must come before the baseline is taken.
	warmup  func(ctx context.Context) error
	budget  atomic.Int64
	workers []*worker
	// cutOffWait bounds every hostile request.
	cutOffWait time.Duration
}

// worker is one hostile connection, with its HTTP client for the scenarios that send whole reviews.
type worker struct {
	index  uint32
	client *http.Client
}

func newHostile(t *Target, o *Options) *hostile {
	h := &hostile{target: t, opts: o, cutOffWait: o.CutOffWait}
	if h.cutOffWait == 0 {
		h.cutOffWait = DefaultCutOffWait
	}
	h.budget.Store(int64(o.Requests))
	h.workers = make([]*worker, o.Connections)
	for i := range h.workers {
		h.workers[i] = &worker{index: uint32(i), client: newClient(t.TLS, 1, h.cutOffWait)}
	}
	switch o.Scenario {
	case HugeContainers:
		h.hugeContainers()
	case StalledBodies, TricklingBodies:
		h.slowBodies(o.Scenario == TricklingBodies)
	case MadeUpKinds:
		h.madeUpKinds()
	case HeaderHoarding, MetricsHeaderHoarding:
		h.headerHoarding(o.Scenario == MetricsHeaderHoarding)
	case Slowloris:
		h.slowloris()
	case StalledChunked:
		h.stalledChunked()
	}
	return h
}

// warm makes the scenario's warm-up requests, if it has any.
func (h *hostile) warm(ctx context.Context) error {
	if h.warmup == nil {
		return nil
	}
	return h.warmup(ctx)
}

// run starts the attempts and returns once every worker has stopped.
func (h *hostile) run(ctx context.Context) {
	deadline := time.Now().Add(h.opts.Duration)
	var wg sync.WaitGroup
	for _, w := range h.workers {
		wg.Go(func() {
			defer w.client.CloseIdleConnections()
			for seq := uint64(0); ctx.Err() == nil && time.Now().Before(deadline); seq++ {
				if h.opts.Requests > 0 && h.budget.Add(-1) < 0 {
					return
				}
				h.attempt(ctx, w, seq)
			}
		})
	}
	wg.Wait()
	if len(h.workers) == 0 {
		// The baseline: the ordinary reviews go on alone for the run's duration.
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(deadline)):
		}
	}
}

func (h *hostile) shapes() []Shape {
	out := make([]Shape, len(h.all))
	for i, s := range h.all {
		out[i] = s.report()
	}
	return out
}

// shape is one kind of hostile request and what became of those sent.
type shape struct {
	name       string
	bodyBytes  int
	containers int
	// expected says which outcomes show the server coping; any other is a failure.
	expected func(outcome string) bool

	mu        sync.Mutex
	sent      int
	outcomes  map[string]int
	samples   map[string]string
	latencies []time.Duration
	maxAnswer int
}

func newShape(name string, bodyBytes int, expected func(string) bool) *shape {
	return &shape{name: name, bodyBytes: bodyBytes, expected: expected, outcomes: map[string]int{}, samples: map[string]string{}}
}

// record counts one request's outcome; sample says more about it, took is the time to the answer or the
// cut-off, answerBytes the size of what the server sent back.
func (s *shape) record(outcome, sample string, took time.Duration, answerBytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent++
	s.outcomes[outcome]++
	if _, ok := s.samples[outcome]; !ok && sample != "" {
		s.samples[outcome] = sample
	}
	s.latencies = append(s.latencies, took)
	s.maxAnswer = max(s.maxAnswer, answerBytes)
}

func (s *shape) report() Shape {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Shape{
		Name:           s.name,
		BodyBytes:      s.bodyBytes,
		Containers:     s.containers,
		Sent:           s.sent,
		Outcomes:       s.outcomes,
		Samples:        s.samples,
		Latency:        latency.Summarize(s.latencies),
		MaxAnswerBytes: s.maxAnswer,
		expected:       s.expected,
	}
}

// Outcomes of a request that carries a whole review.
const (
	outcomeAllowed   = "allowed with its UID"
	outcomeTransport = "transport error"
	outcomeNotReview = "not an AdmissionReview"
	outcomeWrongUID  = "wrong UID"
)

// outcomeRefused is a refusal with the request's UID and the status code of its result.
func outcomeRefused(code int32) string { return fmt.Sprintf("refused with its UID, code %d", code) }

// outcomeHTTP is an answer with an HTTP status other than 200.
func outcomeHTTP(status int) string { return fmt.Sprintf("HTTP %d", status) }

// postReview sends a review on the worker's connection and names what came back.
func (w *worker) postReview(ctx context.Context, url string, body []byte, uid *review.UID) (outcome, sample string, answerBytes int) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return outcomeTransport, err.Error(), 0
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return outcomeTransport, err.Error(), 0
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	_ = resp.Body.Close()
	if err != nil {
		return outcomeTransport, "reading the answer: " + err.Error(), len(answer)
	}
	return answerOutcome(resp.StatusCode, answer, uid)
}

// answerOutcome names an HTTP answer to a review of request UID uid.
func answerOutcome(status int, answer []byte, uid *review.UID) (outcome, sample string, answerBytes int) {
	if status != http.StatusOK {
		return outcomeHTTP(status), review.Truncate(answer), len(answer)
	}
	got, err := review.ParseResponse(answer)
	if err != nil {
		return outcomeNotReview, err.Error(), len(answer)
	}
	if got.UID != uid.String() {
		return outcomeWrongUID, fmt.Sprintf("answer UID %q for request UID %q", got.UID, uid.String()), len(answer)
	}
	if got.Allowed {
		return outcomeAllowed, "", len(answer)
	}
	return outcomeRefused(got.Code()), got.Message(), len(answer)
}

// newClient is an HTTP/1.1 client over TLS with up to conns keep-alive connections, as the API server
// calls webhooks.
func newClient(tlsConfig *tls.Config, conns int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			TLSClientConfig:     tlsConfig.Clone(),
			MaxConnsPerHost:     conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     time.Minute,
			// An empty map turns HTTP/2 off: kubeguard serves HTTP/1.1 only.
			TLSNextProto:       map[string]func(string, *tls.Conn) http.RoundTripper{},
			DisableCompression: true,
		},
	}
}
