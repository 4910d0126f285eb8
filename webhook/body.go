package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// Bodies draw on one of three budgets by their declared length, so that they never queue behind larger
// ones: a client sending large bodies slows only other large bodies. Bodies of at most smallBody bytes are
// the API server's everyday reviews (a Pod, a Deployment); those of at most mediumBody are objects with a
// large last-applied-configuration or many containers (etcd stores objects of at most 1.5 MiB by default,
// so nearly every real review is at most medium); larger ones are rare, and share DefaultBodyBudget.
const (
	smallBody    = 64 << 10
	smallBudget  = 8 << 20
	mediumBody   = 1 << 20
	mediumBudget = 8 << 20
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
var errBusy = errors.New("kubeguard is busy with other requests of this size")

// bodyReader reads request bodies within budgets shared by all requests.
type bodyReader struct {
	small, medium, large *semaphore.Weighted
	// crowded, when set, reports that the server's connections are at their cap.
	crowded func() bool
}

func newBodyReader(budget int64) *bodyReader {
	if budget <= 0 {
		budget = DefaultBodyBudget
	}
	return &bodyReader{
		small:  semaphore.NewWeighted(smallBudget),
		medium: semaphore.NewWeighted(mediumBudget),
		large:  semaphore.NewWeighted(budget),
	}
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

// How bodies are charged to the budgets. The API server always declares a body's length and sends it at
// once; a client that does otherwise is not the API server, and must not be able to hold what ordinary
// reviews need:
//   - A body without a declared length (chunked) is refused with 411 before a byte of it is read.
//   - Nothing is charged until the body's bytes arrive: a connection that sent its headers and stalls holds
//     no budget, and is cut once it has sent nothing for bodyStallTimeout.
//   - A small body (declared at most smallBody bytes) is charged for the bytes received, as they arrive,
//     read through a scratch buffer of scratchBytes: a stalled one holds only what it sent, until it is cut.
//   - A larger body is charged its declared length when its first bytes arrive, all at once. Charging it
//     piecemeal would let large bodies that arrive together each hold part of the budget and wait for the
//     rest, so that none completes; charged whole, they complete one after another. Such a body that
//     stalls holds its declared length for at most bodyStallTimeout; one that trickles, until bodyTimeout:
//     a client that keeps sending a byte now and then can hold the medium or large budget (8 or 32 MiB)
//     with a few connections, delaying other bodies of that size, never smaller ones, and only while it
//     keeps connecting and sending.
//
// Every read waits at most bodyStallTimeout for bytes (crowdedStallTimeout while the server's connections
// are at their cap, so that connections that hold a slot without sending yield it to those waiting), and
// the whole body must be in by its deadline. The API server writes a review at once: its bytes stop coming
// only when a TCP segment is lost (a retransmission takes 200 ms or more) or when the API server itself is
// short of CPU.
const (
	bodyStallTimeout    = 2 * time.Second
	crowdedStallTimeout = time.Second
	scratchBytes        = 4 << 10
)

// scratches are the buffers small bodies are read through before they are charged.
var scratches = sync.Pool{New: func() any { return new([scratchBytes]byte) }}

// errNoLength refuses a body of undeclared length.
var errNoLength = errors.New("the request body has no declared length (Content-Length): kubeguard reads only bodies of declared length, as the API server sends them")

// read reads r's body by deadline, within the budgets (see above). A body declared larger than
// MaxRequestBytes, or of undeclared length, is refused before it is read. It answers with the HTTP status to
// send when it fails; the connection is then closed, since the rest of the body was not read.
func (br *bodyReader) read(w http.ResponseWriter, r *http.Request, deadline, answerBy time.Time) (b *body, code int, err error) {
	switch {
	case r.ContentLength > MaxRequestBytes:
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the request body is larger than %d bytes", MaxRequestBytes)
	case r.ContentLength < 0:
		w.Header().Set("Connection", "close")
		return nil, http.StatusLengthRequired, errNoLength
	}
	rc := http.NewResponseController(w)
	in := &stallReader{body: r.Body, rc: rc, deadline: deadline}
	if br != nil {
		in.crowded = br.crowded
	}
	if br == nil {
		// No budget: read as it comes.
		b = &body{buf: bodies.Get().(*bytes.Buffer)}
		b.buf.Reset()
		_, err = b.buf.ReadFrom(in)
	} else if r.ContentLength <= smallBody {
		b, err = br.readSmall(r, in, deadline)
	} else if r.ContentLength <= mediumBody {
		b, err = readWhole(r, in, br.medium, deadline)
	} else {
		b, err = readWhole(r, in, br.large, deadline)
	}
	if err != nil {
		if b != nil {
			b.release()
		}
		// The rest of the body was not read: the connection cannot serve another request, and must not be
		// kept waiting for the rest.
		w.Header().Set("Connection", "close")
		if errors.Is(err, errBusy) {
			return nil, http.StatusServiceUnavailable, err
		}
		return nil, http.StatusBadRequest, fmt.Errorf("reading the request body: %w", err)
	}
	// Once the body is in, the server keeps reading the connection only to notice a client that leaves; a
	// deadline passing there would look like one.
	_ = rc.SetReadDeadline(answerBy)
	return b, http.StatusOK, nil
}

// readSmall reads a small body through a scratch buffer, charging the small budget for each piece once it
// has arrived. Until the first byte comes, it holds neither a scratch buffer nor a body buffer.
func (br *bodyReader) readSmall(r *http.Request, in io.Reader, deadline time.Time) (*body, error) {
	var first [1]byte
	n, err := io.ReadFull(in, first[:])
	if err != nil {
		return nil, err
	}
	if err := acquire(r.Context(), br.small, int64(n), deadline); err != nil {
		return nil, err
	}
	b := &body{buf: bodies.Get().(*bytes.Buffer), budget: br.small, weight: int64(n)}
	b.buf.Reset()
	b.buf.Grow(int(r.ContentLength))
	b.buf.Write(first[:n])
	scratch := scratches.Get().(*[scratchBytes]byte)
	defer scratches.Put(scratch)
	for {
		n, err := in.Read(scratch[:])
		if n > 0 {
			if aerr := acquire(r.Context(), br.small, int64(n), deadline); aerr != nil {
				return b, aerr
			}
			b.weight += int64(n)
			b.buf.Write(scratch[:n])
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// readWhole waits for a body's first bytes, then charges budget its declared length and reads the rest.
func readWhole(r *http.Request, in io.Reader, budget *semaphore.Weighted, deadline time.Time) (*body, error) {
	var first [1]byte
	n, err := io.ReadFull(in, first[:])
	if err != nil {
		return nil, err
	}
	if err := acquire(r.Context(), budget, r.ContentLength, deadline); err != nil {
		return nil, err
	}
	b := &body{buf: bodies.Get().(*bytes.Buffer), weight: r.ContentLength, budget: budget}
	b.buf.Reset()
	// ReadFrom wants bytes.MinRead of room before every read, the last one (that finds the end) too: without
	// it, a body of exactly its declared length would double the buffer.
	b.buf.Grow(int(r.ContentLength) + bytes.MinRead)
	b.buf.Write(first[:n])
	_, err = b.buf.ReadFrom(in)
	return b, err
}

// acquire takes n bytes of a budget, waiting for them until deadline.
func acquire(ctx context.Context, budget *semaphore.Weighted, n int64, deadline time.Time) error {
	if budget.TryAcquire(n) {
		return nil
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	if budget.Acquire(ctx, n) != nil {
		return errBusy
	}
	return nil
}

// stallReader reads a request body, giving every read until bodyStallTimeout from its start, or
// crowdedStallTimeout when crowded says so (and no later than the body's deadline), to bring bytes.
type stallReader struct {
	body     io.Reader
	rc       *http.ResponseController
	deadline time.Time
	crowded  func() bool
	// set is the read deadline last set on the connection.
	set time.Time
}

// deadlineSlack is how much earlier than a read's own deadline (readBy) the one already set on the
// connection may fall and still be kept. A small body arrives in a few reads within microseconds, most of
// them from the connection's buffer, and setting a deadline (a timer of the network poller) costs more than
// such a read: with the slack, a body's reads set it once. A read thus waits for bytes at least
// bodyStallTimeout (or crowdedStallTimeout) less deadlineSlack, and never longer than before.
const deadlineSlack = 50 * time.Millisecond

func (s *stallReader) Read(p []byte) (int, error) {
	if by, ok := s.newDeadline(time.Now()); ok {
		_ = s.rc.SetReadDeadline(by)
		s.set = by
	}
	return s.body.Read(p)
}

// newDeadline is the read deadline to set on the connection for a read started at now, if the one set
// before does not do (see deadlineSlack).
func (s *stallReader) newDeadline(now time.Time) (time.Time, bool) {
	by := s.readBy(now)
	return by, by.Before(s.set) || by.Sub(s.set) > deadlineSlack
}

// readBy is when a read started at now must have brought bytes.
func (s *stallReader) readBy(now time.Time) time.Time {
	stall := bodyStallTimeout
	if s.crowded != nil && s.crowded() {
		stall = crowdedStallTimeout
	}
	by := now.Add(stall)
	if s.deadline.Before(by) {
		by = s.deadline
	}
	return by
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
