package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ConnLimits bound what connections can cost a server before any request on them is complete. Every port
// kubeguard listens on (webhook, metrics, health probes) takes them: each is reachable by any pod the
// network lets through, and a connection costs memory from the moment it is accepted.
//
// How they could be abused, and what then happens:
//   - Headers that never end (a request line and megabytes of headers without the closing blank line) are
//     cut at MaxHeaderBytes with a 431 and the connection closed, or at ReadHeaderTimeout when they trickle.
//   - Connections that stall in the TLS handshake, or begin a request and stall, are cut at
//     ReadHeaderTimeout. On the webhook port, a connection whose handshake is done waits for its first
//     request as for any later one, until IdleTimeout (see firstRequestConn: the API server keeps
//     connections it opened and did not need, unused, and closing them sooner fails its requests); on the
//     metrics and health ports, whose clients keep no unused connections, ReadHeaderTimeout bounds that too.
//   - Beyond MaxConns, new connections wait in the kernel's accept queue (not in kubeguard's memory) until
//     a connection ends: the API server's keep-alive connections, once accepted, are never closed to make
//     room, so it keeps being answered on them while an attacker's connections queue. Its new connections
//     queue with the attacker's, each of which is cut within ReadHeaderTimeout, the body deadlines or, if it
//     asks nothing, IdleTimeout; while the webhook port is at its cap, a body gets only crowdedStallTimeout
//     to send its next bytes, so that connections that hold a slot without sending give it up sooner.
//   - A client that idles, before its first request or after any, holds a connection until IdleTimeout: a
//     pod that keeps MaxConns such connections open makes the API server's new connections wait. The
//     NetworkPolicy (docs/install.md) is what keeps such pods away; the cap keeps the memory bounded
//     regardless.
type ConnLimits struct {
	// MaxConns caps the connections open at once; 0 means no cap.
	MaxConns int
	// MaxHeaderBytes bounds a request's line and headers.
	MaxHeaderBytes int
	// ReadHeaderTimeout bounds the TLS handshake and the reading of a request's headers from their first
	// byte (on the metrics and health ports, the first request's from the connection's start).
	ReadHeaderTimeout time.Duration
	// IdleTimeout closes a connection that waits this long for its next request (on the webhook port, for
	// its first one too).
	IdleTimeout time.Duration
}

// Defaults of ConnLimits.
const (
	// DefaultMaxConns caps the webhook port. A connection whose request is still arriving costs at most
	// about 64 KiB (a goroutine, TLS and bufio buffers, up to MaxHeaderBytes of headers): 1024 of them are
	// 64 MiB, which with the body budgets (DefaultBodyBudget and the small-body budget, 40 MiB) and the
	// process's own 30 MiB keeps kubeguard under 150 MiB, well inside the chart's 256 MiB limit. The API
	// server needs a few dozen connections per replica at most.
	DefaultMaxConns = 1024
	// DefaultMaxSideConns caps the metrics and health ports: a scraper and the kubelet use a few.
	DefaultMaxSideConns = 64
	// DefaultMaxHeaderBytes: the API server sends a few hundred bytes of headers, a few KiB with a bearer
	// token. Go's server allows 4 KiB more than this before it answers 431.
	DefaultMaxHeaderBytes = 16 << 10
	// DefaultReadHeaderTimeout: the API server completes its handshake as soon as it connects, and sends a
	// request's headers at once.
	DefaultReadHeaderTimeout = 5 * time.Second
	// DefaultIdleTimeout is the API server's own idle timeout for webhook connections (90 s), so that
	// kubeguard does not close a keep-alive connection the API server is about to reuse.
	DefaultIdleTimeout = 90 * time.Second
)

// DefaultConnLimits are the limits of the webhook port; side ports take DefaultMaxSideConns.
func DefaultConnLimits() ConnLimits {
	return ConnLimits{
		MaxConns:          DefaultMaxConns,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		IdleTimeout:       DefaultIdleTimeout,
	}
}

// Validate rejects limits that would leave a port unbounded or unusable.
func (l ConnLimits) Validate() error {
	switch {
	case l.MaxConns < 1:
		return fmt.Errorf("max connections %d: want at least 1", l.MaxConns)
	case l.MaxHeaderBytes < 1<<10 || l.MaxHeaderBytes > 1<<20:
		return fmt.Errorf("max header bytes %d: want 1 KiB to 1 MiB", l.MaxHeaderBytes)
	case l.ReadHeaderTimeout <= 0 || l.ReadHeaderTimeout > time.Minute:
		return fmt.Errorf("read header timeout %s: want more than 0 and at most a minute", l.ReadHeaderTimeout)
	case l.IdleTimeout <= 0 || l.IdleTimeout > 10*time.Minute:
		return fmt.Errorf("idle timeout %s: want more than 0 and at most 10 minutes", l.IdleTimeout)
	}
	return nil
}

// Listen listens on a TCP address and caps its connections at MaxConns: once the cap is reached, Accept
// waits until a connection closes, and new connections wait in the kernel's accept queue.
func (l ConnLimits) Listen(addr string) (net.Listener, error) {
	return l.listen(addr, l.limiter())
}

// limiter is the cap of MaxConns, or nil for none.
func (l ConnLimits) limiter() *connLimiter {
	if l.MaxConns <= 0 {
		return nil
	}
	return newConnLimiter(l.MaxConns)
}

func (l ConnLimits) listen(addr string, limiter *connLimiter) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil || limiter == nil {
		return ln, err
	}
	return limiter.wrap(ln), nil
}

// Server returns an HTTP server for h with the limits set.
func (l ConnLimits) Server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		IdleTimeout:       l.IdleTimeout,
	}
}

// Serve serves plain HTTP (metrics, probes) on addr within the limits until ctx ends, then stops within
// five seconds.
func (l ConnLimits) Serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := l.Listen(addr)
	if err != nil {
		return fmt.Errorf("serving %s: %w", addr, err)
	}
	srv := l.Server(h)
	stopped := context.AfterFunc(ctx, func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	})
	defer stopped()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving %s: %w", addr, err)
	}
	return nil
}
