package webhook

import (
	"crypto/tls"
	"errors"
	"sync/atomic"
)

// Lifecycle lets the process stop the server gracefully, in steps: Drain, then StopAccepting, then cancel
// the server's context with ErrShuttingDown. The zero Lifecycle serves normally.
type Lifecycle struct {
	draining, closed atomic.Bool
}

// Drain makes every answer close its connection, so that clients reconnect and reach a replica that is not
// stopping, while this one still answers whoever comes.
func (l *Lifecycle) Drain() { l.draining.Store(true) }

// Draining reports whether Drain was called: the server is about to stop, and is not ready.
func (l *Lifecycle) Draining() bool { return l != nil && l.draining.Load() }

// StopAccepting refuses new TLS handshakes. The server's context ends every handshake still under way when
// it is cancelled; refusing new ones a moment before lets those under way finish, so that every connection
// the server completed gets its request answered, and the others fail at connect, before anything is sent.
func (l *Lifecycle) StopAccepting() { l.closed.Store(true) }

var errNotAccepting = errors.New("kubeguard is stopping and accepts no new connections")

// tlsOption refuses handshakes once StopAccepting was called.
func (l *Lifecycle) tlsOption(c *tls.Config) {
	c.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		if l.closed.Load() {
			return nil, errNotAccepting
		}
		return nil, nil
	}
}
