package webhook

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The limiter says it is crowded while every slot is taken, gives a slot back when its connection closes
// (once, however often it is closed), and a listener closed while Accept waits for a slot ends the wait.
func TestConnLimiter(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := newConnLimiter(2)
	ln := l.wrap(tcp)
	accepted := make(chan net.Conn, 3)
	acceptErr := make(chan error, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				acceptErr <- err
				return
			}
			accepted <- c
		}
	}()
	for range 3 {
		c, err := net.Dial("tcp", tcp.Addr().String())
		require.NoError(t, err)
		defer c.Close()
	}
	first, second := <-accepted, <-accepted
	require.Eventually(t, l.crowded, 5*time.Second, time.Millisecond)

	require.NoError(t, first.Close())
	_ = first.Close()
	third := <-accepted
	assert.True(t, l.crowded(), "the third connection took the freed slot")
	require.NoError(t, second.Close())
	require.NoError(t, third.Close())
	require.Eventually(t, func() bool { return len(l.slots) == 1 }, 5*time.Second, time.Millisecond, "the accept loop waits with a slot")

	require.NoError(t, ln.Close())
	assert.True(t, errors.Is(<-acceptErr, net.ErrClosed))
	assert.False(t, (*connLimiter)(nil).crowded(), "no limiter, never crowded")
}

// A body's reads get two seconds to bring bytes, one while the server is crowded, and never past the
// body's deadline.
func TestStallReaderDeadlines(t *testing.T) {
	now := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	crowded := false
	s := &stallReader{deadline: now.Add(5 * time.Second), crowded: func() bool { return crowded }}
	assert.Equal(t, now.Add(2*time.Second), s.readBy(now))
	crowded = true
	assert.Equal(t, now.Add(time.Second), s.readBy(now))
	crowded = false
	assert.Equal(t, now.Add(5*time.Second), s.readBy(now.Add(4*time.Second)))
	s.crowded = nil
	assert.Equal(t, now.Add(2*time.Second), s.readBy(now))
}

// A body's reads in quick succession share one deadline on the connection; a read that needs a later one
// by more than deadlineSlack, or an earlier one (the server got crowded), sets its own.
func TestStallReaderSetsFewDeadlines(t *testing.T) {
	now := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	crowded := false
	s := &stallReader{deadline: now.Add(5 * time.Second), crowded: func() bool { return crowded }}
	by, ok := s.newDeadline(now)
	require.True(t, ok, "the first read sets a deadline")
	assert.Equal(t, now.Add(2*time.Second), by)
	s.set = by

	_, ok = s.newDeadline(now.Add(deadlineSlack))
	assert.False(t, ok, "a read within the slack keeps the deadline set")
	by, ok = s.newDeadline(now.Add(deadlineSlack + time.Millisecond))
	assert.True(t, ok, "a later read sets its own")
	assert.Equal(t, now.Add(2*time.Second+deadlineSlack+time.Millisecond), by)

	crowded = true
	by, ok = s.newDeadline(now.Add(time.Millisecond))
	assert.True(t, ok, "crowded, a read gets an earlier deadline at once")
	assert.Equal(t, now.Add(time.Second+time.Millisecond), by)
}
