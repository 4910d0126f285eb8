package attack

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// A trickling body sends trickleChunk bytes every trickleInterval: 10 KiB/s, enough to look alive, far too
// slow to ever finish 7 MiB.
const (
	trickleChunk    = 1 << 10
	trickleInterval = 100 * time.Millisecond
	// writeChunk is what a stalling body writes at a time, as fast as the connection takes it.
	writeChunk = 64 << 10
)

// Outcomes of a slow body.
const (
	outcomeDialFailed  = "could not connect"
	outcomeClosed      = "cut off: connection closed"
	outcomeStillOpen   = "still open"
	outcomeInterrupted = "interrupted"
)

// outcomeCutOffHTTP is a slow body the server answered, with an HTTP status, before it was complete.
func outcomeCutOffHTTP(status int) string { return fmt.Sprintf("cut off: HTTP %d", status) }

func cutOff(outcome string) bool { return strings.HasPrefix(outcome, "cut off: ") }

// slowBodies opens connections that declare the largest accepted body and then stall after all of it but
// the last byte, or trickle it; each waits until the server answers or closes the connection.
func (h *hostile) slowBodies(trickle bool) {
	name := "stalled bodies"
	if trickle {
		name = "trickling bodies"
	}
	s := newShape(name, MaxBodyBytes, cutOff)
	h.all = append(h.all, s)
	// Validate has parsed the URL.
	u, _ := url.Parse(h.target.URL)
	header := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		u.RequestURI(), u.Host, MaxBodyBytes)
	// The body starts as a review would; what follows the prefix is never read as JSON anyway.
	prefix := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"`
	filler := bytes.Repeat([]byte("x"), writeChunk)
	copy(filler, prefix)
	h.attempt = func(ctx context.Context, w *worker, _ uint64) {
		start := time.Now()
		outcome, sample, answerBytes := h.slowBody(ctx, u.Host, header, filler, trickle)
		s.record(outcome, sample, time.Since(start), answerBytes)
	}
}

// slowAnswer is what the server did with a slow body.
type slowAnswer struct {
	outcome, sample string
	bytes           int
}

// slowBody sends one slow body on a connection of its own and waits, at most cutOffWait, for the server to
// deal with it.
func (h *hostile) slowBody(ctx context.Context, host, header string, filler []byte, trickle bool) (outcome, sample string, answerBytes int) {
	return h.hold(ctx, h.dialTLS(host), func(conn net.Conn, answered chan slowAnswer) {
		if _, err := io.WriteString(conn, header); err == nil {
			writeSlowly(conn, filler, trickle, answered)
		}
	})
}

// dialTLS connects to host over TLS, as the API server does.
func (h *hostile) dialTLS(host string) func(ctx context.Context) (net.Conn, error) {
	return func(ctx context.Context) (net.Conn, error) {
		return (&tls.Dialer{Config: h.target.TLS.Clone()}).DialContext(ctx, "tcp", host)
	}
}

// hold opens a connection of its own, has send write to it (send returns when it has written what it
// means to, or the server answered, or a write failed), and waits, at most cutOffWait in all, for the server
// to answer or close the connection.
func (h *hostile) hold(ctx context.Context, dial func(context.Context) (net.Conn, error), send func(net.Conn, chan slowAnswer)) (outcome, sample string, answerBytes int) {
	dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := dial(dialCtx)
	cancel()
	if err != nil {
		return outcomeDialFailed, err.Error(), 0
	}
	defer conn.Close()
	// One deadline bounds the writing and the wait for an answer alike.
	_ = conn.SetDeadline(time.Now().Add(h.cutOffWait))
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()

	answered := make(chan slowAnswer, 1)
	go func() { answered <- readSlowAnswer(conn, h.cutOffWait) }()
	send(conn, answered)
	a := <-answered
	if ctx.Err() != nil {
		return outcomeInterrupted, ctx.Err().Error(), a.bytes
	}
	return a.outcome, a.sample, a.bytes
}

// writeSlowly writes all of a body but its last byte, stalling or trickling, until the server answers or
// a write fails; it leaves an answer that came meanwhile in answered.
func writeSlowly(conn net.Conn, filler []byte, trickle bool, answered chan slowAnswer) {
	remaining := MaxBodyBytes - 1
	chunk, pause := writeChunk, time.Duration(0)
	if trickle {
		chunk, pause = trickleChunk, trickleInterval
	}
	for remaining > 0 {
		n := min(chunk, remaining)
		if _, err := conn.Write(filler[:n]); err != nil {
			// The server closed the connection: the reader tells how.
			return
		}
		remaining -= n
		if pause == 0 {
			continue
		}
		select {
		case a := <-answered:
			answered <- a
			return
		case <-time.After(pause):
		}
	}
}

// readSlowAnswer waits for the server's answer to a slow body, or for the connection to end.
func readSlowAnswer(conn net.Conn, wait time.Duration) slowAnswer {
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return slowAnswer{outcome: outcomeStillOpen, sample: fmt.Sprintf("no answer after %s", wait)}
		}
		return slowAnswer{outcome: outcomeClosed, sample: err.Error()}
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return slowAnswer{outcome: outcomeCutOffHTTP(resp.StatusCode), sample: review.Truncate(body), bytes: len(body)}
}
