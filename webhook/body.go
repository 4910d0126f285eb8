package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// MaxRequestBytes bounds an AdmissionReview body. The API server stores objects of at most about 3 MiB and a
// review carries at most two of them (object and oldObject), plus a little for the rest.
const MaxRequestBytes = 7 << 20

// DefaultBodyBudget bounds the bytes of large request bodies held at once, across every connection: with
// the decoding they lead to, it keeps kubeguard well inside the chart's memory limit however many clients
// send large bodies at once.
const DefaultBodyBudget = 32 << 20

// Bodies of at most smallBody bytes, the API server's everyday reviews, draw on a budget of their own,
// smallBudget, so that they never queue behind large ones: a client sending large bodies slows only
// other large bodies.
const (
	smallBody   = 64 << 10
	smallBudget = 8 << 20
)

// Time limits. The API server sends a review at once and waits at most 30 seconds (its timeout, passed as
// ?timeout=, is 10 s by default and 5 s in the chart), so a body still arriving after bodyTimeout comes from
// a client that is holding memory on purpose.
const (
	bodyTimeout    = 5 * time.Second
	requestTimeout = 30 * time.Second
)

// ErrShuttingDown is the cause the server's context is cancelled with when kubeguard stops. Requests in
// flight then finish their work; any other cancellation means their client is gone.
var ErrShuttingDown = errors.New("kubeguard is shutting down")

// bodies recycles request buffers: most bodies are a few KiB, and reusing them keeps the garbage collector
// out of the request path.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// largeBody is the size above which a buffer is dropped rather than kept for reuse.
const largeBody = 1 << 20

// errBusy says the body budget stayed spent for as long as the request could wait.
var errBusy = errors.New("kubeguard is busy with other large requests")

// bodyReader reads request bodies within budgets shared by all requests.
type bodyReader struct {
	large, small *semaphore.Weighted
}

func newBodyReader(budget int64) *bodyReader {
	if budget <= 0 {
		budget = DefaultBodyBudget
	}
	return &bodyReader{large: semaphore.NewWeighted(budget), small: semaphore.NewWeighted(smallBudget)}
}

// budget is the budget a body of weight bytes draws on.
func (br *bodyReader) budget(weight int64) *semaphore.Weighted {
	if weight <= smallBody {
		return br.small
	}
	return br.large
}

// body is a request body read into a pooled buffer, holding its share of a budget until released.
type body struct {
	buf    *bytes.Buffer
	weight int64
	budget *semaphore.Weighted
}

func (b *body) bytes() []byte { return b.buf.Bytes() }

// release returns the buffer and the budget. The bytes must not be used afterwards.
func (b *body) release() {
	if b.buf.Cap() <= largeBody {
		bodies.Put(b.buf)
	}
	if b.budget != nil {
		b.budget.Release(b.weight)
	}
}

// read reads r's body by deadline. A body declared or found larger than MaxRequestBytes is refused before
// it is held; one of unknown length is counted at the maximum. It answers with the HTTP status to send when
// it fails; the connection is then closed, since the rest of the body was not read.
func (br *bodyReader) read(w http.ResponseWriter, r *http.Request, deadline, answerBy time.Time) (b *body, code int, err error) {
	if r.ContentLength > MaxRequestBytes {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the request body is larger than %d bytes", MaxRequestBytes)
	}
	weight := r.ContentLength
	if weight < 0 {
		weight = MaxRequestBytes
	}
	b = &body{buf: bodies.Get().(*bytes.Buffer), weight: weight}
	b.buf.Reset()
	if br != nil {
		budget := br.budget(weight)
		if !budget.TryAcquire(weight) {
			ctx, cancel := context.WithDeadline(r.Context(), deadline)
			err = budget.Acquire(ctx, weight)
			cancel()
		}
		if err != nil {
			bodies.Put(b.buf)
			w.Header().Set("Connection", "close")
			return nil, http.StatusServiceUnavailable, errBusy
		}
		b.budget = budget
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(deadline)
	if r.ContentLength >= 0 {
		// ReadFrom wants bytes.MinRead of room before every read, the last one (that finds the end) too:
		// without it, a body of exactly its declared length would double the buffer.
		b.buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err = b.buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		b.release()
		// The rest of the body was not read: the connection cannot serve another request, and must not be
		// kept waiting for the rest.
		w.Header().Set("Connection", "close")
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the request body is larger than %d bytes", MaxRequestBytes)
		}
		return nil, http.StatusBadRequest, fmt.Errorf("reading the request body: %w", err)
	}
	// Once the body is in, the server keeps reading the connection only to notice a client that leaves; a
	// deadline passing there would look like one.
	_ = rc.SetReadDeadline(answerBy)
	return b, http.StatusOK, nil
}

// deadlines are when reading the body must be done, and when the API server stops waiting for the answer:
// its ?timeout=, at most requestTimeout.
func deadlines(r *http.Request, start time.Time) (body, answer time.Time) {
	timeout := requestTimeout
	if t, ok := timeoutParam(r.URL.RawQuery); ok && t > 0 && t < timeout {
		timeout = t
	}
	answer = start.Add(timeout)
	body = start.Add(bodyTimeout)
	if answer.Before(body) {
		body = answer
	}
	return body, answer
}

// timeoutParam reads the API server's ?timeout= (e.g. "10s") from a raw query, without building the whole
// query's map for one value.
func timeoutParam(query string) (time.Duration, bool) {
	for query != "" {
		var param string
		param, query, _ = strings.Cut(query, "&")
		if value, ok := strings.CutPrefix(param, "timeout="); ok {
			t, err := time.ParseDuration(value)
			return t, err == nil
		}
	}
	return 0, false
}

// abandoned reports whether nobody waits for the answer any more: the client is gone, or the API server's
// timeout has passed. A server shutting down still answers the requests it has.
func abandoned(r *http.Request, answerBy time.Time) bool {
	if err := r.Context().Err(); err != nil && !errors.Is(context.Cause(r.Context()), ErrShuttingDown) {
		return true
	}
	return time.Now().After(answerBy)
}

// retryAfter is sent with 503 answers: long enough for a large request to finish.
var retryAfter = strconv.Itoa(1)
