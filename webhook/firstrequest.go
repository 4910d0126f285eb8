package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A client may open a connection and send its first request on it only later. Go's HTTP client, the API
// server's among them, dials a new connection when all of its own are busy; when one of those frees up
// first, it takes that one and keeps the new connection unused in its pool, for as long as any idle one
// (the API server: 90 s). net/http's server gives a later request on a connection IdleTimeout to begin
// and ReadHeaderTimeout from its first byte, but counts the first request's ReadHeaderTimeout from the
// TLS handshake: it closed such an unused connection after 5 s, without a word, since nothing had been
// asked. A client that took it from its pool just then had its request fail with a bare EOF, which the API
// server counts as a failed call: with failurePolicy Fail, the user's object is rejected.
//
// So the webhook port does the TLS handshake itself, within ReadHeaderTimeout, and a connection then waits
// for its first request as for any later one: IdleTimeout for the first byte, then ReadHeaderTimeout for
// the headers. How it could be abused: a client that completes handshakes and sends nothing holds each
// connection until IdleTimeout rather than ReadHeaderTimeout; it could already do so by sending one small
// request on each first, and the connection cap bounds what those connections hold either way.

// firstRequestListener serves TLS on its listener's connections, each waiting for its first request as
// for any later one.
type firstRequestListener struct {
	net.Listener
	config *tls.Config
	// ctx ends the handshakes under way when the server stops, as net/http does with its own.
	ctx    context.Context
	limits ConnLimits
}

func (l *firstRequestListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &firstRequestConn{Conn: tls.Server(c, l.config), ctx: l.ctx, limits: l.limits}, nil
}

// firstRequestConn is a TLS connection that keeps its own read deadlines until its first request begins:
// ReadHeaderTimeout for the handshake, IdleTimeout for the first byte, and ReadHeaderTimeout from that
// byte. From then on, the server's deadlines apply. Before that, only the server's own goroutine for the
// connection reads it or sets its read deadline; Close may come from any.
type firstRequestConn struct {
	*tls.Conn
	ctx    context.Context
	limits ConnLimits

	handshakeOnce sync.Once
	handshakeErr  error
	// begun says the first request's first bytes arrived.
	begun atomic.Bool
}

// ConnectionState completes the handshake first: net/http asks for it before it reads the first request,
// for the requests' TLS field.
func (c *firstRequestConn) ConnectionState() tls.ConnectionState {
	_ = c.handshake()
	return c.Conn.ConnectionState()
}

func (c *firstRequestConn) handshake() error {
	c.handshakeOnce.Do(func() {
		_ = c.Conn.SetDeadline(time.Now().Add(c.limits.ReadHeaderTimeout))
		c.handshakeErr = c.Conn.HandshakeContext(c.ctx)
		_ = c.Conn.SetDeadline(time.Time{})
		if c.handshakeErr != nil {
			c.refuse(c.handshakeErr)
		}
	})
	return c.handshakeErr
}

// refuse says why a handshake failed, as net/http's server does: in its log, and to a client that sent
// plain HTTP to the TLS port, in plain HTTP.
func (c *firstRequestConn) refuse(err error) {
	var header tls.RecordHeaderError
	if errors.As(err, &header) && header.Conn != nil && looksLikeHTTP(header.RecordHeader) {
		_, _ = io.WriteString(header.Conn, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
	}
	log.Printf("http: TLS handshake error from %s: %v", c.RemoteAddr(), err)
}

// looksLikeHTTP reports whether the first bytes of a connection start an HTTP request.
func looksLikeHTTP(first [5]byte) bool {
	switch string(first[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}

func (c *firstRequestConn) Read(p []byte) (int, error) {
	if c.begun.Load() {
		return c.Conn.Read(p)
	}
	if err := c.handshake(); err != nil {
		return 0, err
	}
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.limits.IdleTimeout))
	n, err := c.Conn.Read(p)
	if n > 0 {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.limits.ReadHeaderTimeout))
		c.begun.Store(true)
	}
	return n, err
}

// SetReadDeadline sets the server's read deadline once the first request has begun; before, the
// connection keeps its own (net/http sets ReadHeaderTimeout from the handshake here).
func (c *firstRequestConn) SetReadDeadline(t time.Time) error {
	if !c.begun.Load() {
		return nil
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *firstRequestConn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	return c.SetReadDeadline(t)
}
