package webhook

import (
	"net"
	"sync"
)

// connLimiter caps the connections open at once on a listener, as golang.org/x/net/netutil.LimitListener
// does, and also says when the cap is reached: the body reader then gives stalled bodies less time, so that
// the connections waiting in the kernel's accept queue (the API server's new ones among them) get a slot
// sooner.
type connLimiter struct {
	slots chan struct{}
}

func newConnLimiter(max int) *connLimiter {
	return &connLimiter{slots: make(chan struct{}, max)}
}

// crowded reports whether every slot is taken: a new connection would wait.
func (l *connLimiter) crowded() bool { return l != nil && len(l.slots) == cap(l.slots) }

// wrap caps ln's connections: Accept waits for a free slot before it takes a connection from the kernel.
func (l *connLimiter) wrap(ln net.Listener) net.Listener {
	return &limitedListener{Listener: ln, limiter: l, closed: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	limiter   *connLimiter
	closeOnce sync.Once
	closed    chan struct{}
}

func (ln *limitedListener) Accept() (net.Conn, error) {
	select {
	case ln.limiter.slots <- struct{}{}:
	case <-ln.closed:
		return nil, net.ErrClosed
	}
	c, err := ln.Listener.Accept()
	if err != nil {
		<-ln.limiter.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-ln.limiter.slots }}, nil
}

func (ln *limitedListener) Close() error {
	err := ln.Listener.Close()
	ln.closeOnce.Do(func() { close(ln.closed) })
	return err
}

// limitedConn gives its slot back when it is closed, once.
type limitedConn struct {
	net.Conn
	releaseOnce sync.Once
	release     func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.releaseOnce.Do(c.release)
	return err
}
