package webhook_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kubeguard/kubeguard/webhook"
)

// dial opens a TLS connection to the server.
func (s *testServer) dial(t *testing.T) *tls.Conn {
	t.Helper()
	conn, err := tls.Dial("tcp", s.addr, &tls.Config{RootCAs: s.ca.pool, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// answer reads the server's answer on conn; the deadline bounds the test, not kubeguard.
func answer(t *testing.T, conn net.Conn) (*http.Response, string) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the server answers before the test gives up")
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// postCompliantPod sends a compliant Pod's review on conn and requires it answered, with its UID.
func postCompliantPod(t *testing.T, conn net.Conn) *http.Response {
	t.Helper()
	req := review(t, admissionv1.Create, newPod("web", compliantSpec()), nil)
	body := reviewBody(t, req)
	_, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: kubeguard\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", webhook.ValidatePath, len(body), body)
	require.NoError(t, err)
	resp, data := answer(t, conn)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, data, string(req.UID))
	return resp
}

// Headers that never end (here 1 MiB of them without the closing blank line) are refused once they pass
// the limit, not read to the end: the connection is answered 431 and closed.
func TestHeadersBeyondTheLimitAreRefused(t *testing.T) {
	s := startServer(t)
	conn := s.dial(t)
	go func() {
		// Writes fail once the server closes the connection.
		_, _ = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: kubeguard\r\n", webhook.ValidatePath)
		line := "X-Hoard: " + strings.Repeat("h", 1000) + "\r\n"
		for range 1000 {
			if _, err := io.WriteString(conn, line); err != nil {
				return
			}
		}
	}()
	resp, _ := answer(t, conn)
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
	assert.True(t, resp.Close, "the connection is closed")
}

// Beyond the cap, a new connection is not served (its TLS handshake does not complete) until another one
// closes; then it is, and its request answered.
func TestConnectionsAreCapped(t *testing.T) {
	s := startServerWith(t, func(o *webhook.ServerOptions) {
		o.Conns = webhook.DefaultConnLimits()
		o.Conns.MaxConns = 2
		// Nothing is cut by time in this test: only the cap decides.
		o.Conns.ReadHeaderTimeout = time.Minute
	})
	first, _ := s.dial(t), s.dial(t)

	handshake := make(chan *tls.Conn, 1)
	go func() {
		conn, err := tls.Dial("tcp", s.addr, &tls.Config{RootCAs: s.ca.pool, MinVersion: tls.VersionTLS12})
		assert.NoError(t, err)
		handshake <- conn
	}()
	select {
	case <-handshake:
		t.Fatal("a third connection was served while two were open")
	case <-time.After(500 * time.Millisecond):
	}

	require.NoError(t, first.Close())
	var third *tls.Conn
	select {
	case third = <-handshake:
	case <-time.After(20 * time.Second):
		t.Fatal("the queued connection was not served once a slot was free")
	}
	require.NotNil(t, third)
	defer third.Close()
	postCompliantPod(t, third)
}

// stall opens n connections that each send a request declaring a body of declared bytes, send the first
// sent bytes of it, and stall.
func (s *testServer) stall(t *testing.T, n, declared, sent int) {
	t.Helper()
	for range n {
		conn := s.dial(t)
		_, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: kubeguard\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			webhook.ValidatePath, declared, strings.Repeat("{", sent))
		require.NoError(t, err)
	}
}

// Budgets are charged for bytes that arrived, not for bytes declared: connections that declare bodies and
// send little or nothing of them hold no more than that, and a review that arrives whole is answered at
// once, within a ?timeout= shorter than the time the stalled connections are given.
func TestStalledBodiesHoldOnlyWhatTheySent(t *testing.T) {
	s := startServer(t)
	// 200 × 64 KiB and 12 × 1 MiB declared: more than the small and medium budgets (8 MiB each) hold.
	s.stall(t, 200, 64<<10, 0)
	s.stall(t, 200, 64<<10, 1<<10)
	s.stall(t, 12, 1<<20, 0)
	chunked := s.dial(t)
	_, err := fmt.Fprintf(chunked, "POST %s HTTP/1.1\r\nHost: kubeguard\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"apiVersion\":\"a\r\n", webhook.ValidatePath)
	require.NoError(t, err)
	// Gives the server time to read the stalled requests' headers and bytes before the reviews below.
	time.Sleep(500 * time.Millisecond)

	for name, body := range map[string][]byte{"3 KB": reviewBody(t, review(t, admissionv1.Create, newPod("web", compliantSpec()), nil)), "100 KB": paddedReview(t, 100<<10)} {
		resp, err := s.client().Post("https://"+s.addr+webhook.ValidatePath+"?timeout=1s", "application/json", bytes.NewReader(body))
		require.NoError(t, err, name)
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", name, data)
		assert.Contains(t, string(data), `"allowed":true`, name)
	}

	resp, data := answer(t, chunked)
	assert.Equal(t, http.StatusLengthRequired, resp.StatusCode, data)
}

// A connection that declares a body and sends none of it is cut once it has sent nothing for two seconds,
// whatever the API server's timeout.
func TestSilentBodyIsCutOff(t *testing.T) {
	s := startServer(t)
	conn := s.dial(t)
	_, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: kubeguard\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n", webhook.ValidatePath)
	require.NoError(t, err)
	resp, data := answer(t, conn)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.True(t, resp.Close, "the connection is closed")
	assert.Contains(t, data, "reading the request body")
}

// A client may send the first request on a connection only a while after opening it: Go's HTTP client, the
// API server's too, keeps a connection it dialed and then did not need in its pool, unused. The connection
// waits for its first request as for any later one, until IdleTimeout: closed at ReadHeaderTimeout, a
// request the client sent on it just then failed with a bare EOF instead of an answer.
func TestFirstRequestMayComeAfterReadHeaderTimeout(t *testing.T) {
	s := startServerWith(t, func(o *webhook.ServerOptions) {
		o.Conns = webhook.DefaultConnLimits()
		o.Conns.ReadHeaderTimeout = 500 * time.Millisecond
	})
	conn := s.dial(t)
	// Well past ReadHeaderTimeout, well within IdleTimeout.
	time.Sleep(1500 * time.Millisecond)

	resp := postCompliantPod(t, conn)
	assert.False(t, resp.Close, "the connection stays open for the next request")
}

// Waiting for the first request as for a later one leaves the other bounds as they were: the TLS handshake
// and the headers, once begun, still have ReadHeaderTimeout, and a connection that never asks anything is
// closed at IdleTimeout.
func TestQuietConnectionsAreClosed(t *testing.T) {
	for _, tc := range []struct {
		name             string
		readHeader, idle time.Duration
		open             func(t *testing.T, s *testServer) net.Conn
	}{
		{"no TLS handshake", 200 * time.Millisecond, time.Minute, func(t *testing.T, s *testServer) net.Conn {
			conn, err := net.Dial("tcp", s.addr)
			require.NoError(t, err)
			t.Cleanup(func() { _ = conn.Close() })
			return conn
		}},
		{"headers begun, never ended", 200 * time.Millisecond, time.Minute, func(t *testing.T, s *testServer) net.Conn {
			conn := s.dial(t)
			_, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: kubeguard\r\n", webhook.ValidatePath)
			require.NoError(t, err)
			return conn
		}},
		{"nothing asked after the handshake", time.Minute, 200 * time.Millisecond, func(t *testing.T, s *testServer) net.Conn {
			return s.dial(t)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServerWith(t, func(o *webhook.ServerOptions) {
				o.Conns = webhook.DefaultConnLimits()
				o.Conns.ReadHeaderTimeout, o.Conns.IdleTimeout = tc.readHeader, tc.idle
			})
			conn := tc.open(t, s)
			// The deadline bounds the test; the minute-long bound would only be reached in minutes.
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
			_, err := io.ReadAll(conn)
			assert.NoError(t, err, "the server closed the connection")
		})
	}
}

// Plain HTTP sent to the TLS port is answered 400 in plain HTTP and the connection closed, as net/http's own
// TLS handshake does, so that a mistyped URL (http:// for https://) gets an answer rather than a reset.
func TestPlainHTTPOnTheTLSPortIsToldSo(t *testing.T) {
	s := startServer(t)
	conn, err := net.Dial("tcp", s.addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: kubeguard\r\nContent-Length: 0\r\n\r\n", webhook.ValidatePath)
	require.NoError(t, err)
	resp, _ := answer(t, conn)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.True(t, resp.Close, "the connection is closed")
}
