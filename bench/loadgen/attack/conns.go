package attack

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// What the connection attacks send.
const (
	// hoardedHeaderBytes is how many bytes of headers a hoarding connection sends, in lines of
	// hoardedLineBytes, without the blank line that would end them.
	hoardedHeaderBytes = 1 << 20
	hoardedLineBytes   = 1 << 10
	// slowlorisBodyBytes is the body a slowloris connection declares, and never sends: the largest that
	// counts as small.
	slowlorisBodyBytes = 64 << 10
)

// connShape is a connection attack's shape: what it is called, the bytes it declares, and what the server
// may do with it. Being cut off is what the server should do; "could not connect" is the connection cap at
// work (the attack's connections waited in the accept queue for longer than a dial waits).
func (h *hostile) connShape(name string, bodyBytes int, want func(outcome string) bool) *shape {
	s := newShape(name, bodyBytes, func(outcome string) bool { return outcome == outcomeDialFailed || want(outcome) })
	h.all = append(h.all, s)
	return s
}

// cutOffWith accepts a cut-off by the given HTTP statuses, or by closing the connection.
func cutOffWith(statuses ...int) func(string) bool {
	return func(outcome string) bool {
		if outcome == outcomeClosed {
			return true
		}
		for _, status := range statuses {
			if outcome == outcomeCutOffHTTP(status) {
				return true
			}
		}
		return false
	}
}

// headerHoarding opens connections that send a request line and a megabyte of headers without the blank
// line that ends them, and wait; each reconnects once cut off. metrics aims them at the plain-HTTP metrics
// port rather than the webhook port.
func (h *hostile) headerHoarding(metrics bool) {
	name, raw := "hoarded headers", h.target.URL
	dial := h.dialTLS
	if metrics {
		name, raw = "hoarded headers on /metrics", h.target.MetricsURL
		dial = func(host string) func(context.Context) (net.Conn, error) {
			return func(ctx context.Context) (net.Conn, error) { return new(net.Dialer).DialContext(ctx, "tcp", host) }
		}
	}
	// Validate has parsed the URLs.
	u, _ := url.Parse(raw)
	s := h.connShape(name, hoardedHeaderBytes, cutOffWith(431, 400, 408))
	line := "X-Hoard: " + strings.Repeat("h", hoardedLineBytes-len("X-Hoard: \r\n")) + "\r\n"
	// Written in one go, as fast as the connection takes it: the load generator shares the machine's cores
	// with the server, and a write per line would spend them on itself.
	request := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n", u.RequestURI(), u.Host) +
		strings.Repeat(line, hoardedHeaderBytes/hoardedLineBytes)
	h.attempt = func(ctx context.Context, _ *worker, _ uint64) {
		start := time.Now()
		outcome, sample, answerBytes := h.hold(ctx, dial(u.Host), func(conn net.Conn, _ chan slowAnswer) {
			// A failed write is the server closing the connection: the reader tells how.
			_, _ = io.WriteString(conn, request)
		})
		s.record(outcome, sample, time.Since(start), answerBytes)
	}
}

// slowloris opens connections that send a review's headers declaring a 64 KiB body, and then nothing; each
// reconnects once cut off.
func (h *hostile) slowloris() {
	u, _ := url.Parse(h.target.URL)
	s := h.connShape("slowloris", slowlorisBodyBytes, cutOffWith(400, 408))
	header := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		u.RequestURI(), u.Host, slowlorisBodyBytes)
	h.attempt = func(ctx context.Context, _ *worker, _ uint64) {
		start := time.Now()
		outcome, sample, answerBytes := h.hold(ctx, h.dialTLS(u.Host), func(conn net.Conn, _ chan slowAnswer) {
			_, _ = io.WriteString(conn, header)
		})
		s.record(outcome, sample, time.Since(start), answerBytes)
	}
}

// stalledChunked opens connections that send a review's headers with a chunked body, its first chunk, and
// then nothing; each reconnects once cut off. A body of unknown length was once weighed at the largest
// accepted size, so that a few such connections held every large body up.
func (h *hostile) stalledChunked() {
	u, _ := url.Parse(h.target.URL)
	s := h.connShape("stalled chunked bodies", -1, cutOffWith(411, 400, 408))
	first := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",`
	header := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n",
		u.RequestURI(), u.Host, len(first), first)
	h.attempt = func(ctx context.Context, _ *worker, _ uint64) {
		start := time.Now()
		outcome, sample, answerBytes := h.hold(ctx, h.dialTLS(u.Host), func(conn net.Conn, _ chan slowAnswer) {
			_, _ = io.WriteString(conn, header)
		})
		s.record(outcome, sample, time.Since(start), answerBytes)
	}
}
