package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/review"
)

// conn is one keep-alive connection with one request in flight at a time, as each of the API server's
// calls to a webhook is.
type conn struct {
	run    *loadRun
	index  uint32
	client *http.Client
	// req and reader are reused once a response is read: only the body changes from one request to the next.
	req    *http.Request
	reader *bytes.Reader
	// out holds the request body; in holds the response body.
	out, in []byte

	stats connStats
}

// connStats are one connection's measured requests. A connection keeps its own so that counting needs no
// locks; the report adds them up.
type connStats struct {
	latencies []time.Duration
	allowed   int
	denied    int
	errors    map[string]int
	// samples keep the first message of each kind of error, to say what went wrong.
	samples map[string]string
	// perBody counts by body index: what each body was answered.
	perBody []bodyCount
}

type bodyCount struct{ sent, allowed, denied int }

// Kinds of errors, as counted in the report.
const (
	errTransport = "transport"   // no HTTP response: refused, reset, TLS failure, timeout
	errStatus    = "http-status" // a response other than 200
	errDecode    = "decode"      // not an AdmissionReview with a response
	errUID       = "uid"         // the response's UID is not the request's
	errVerdict   = "verdict"     // allowed when it should be denied, or the reverse
)

// transportBackoff spaces out retries on a connection that cannot reach the server, so that a server that
// is down yields a bounded number of errors rather than a busy loop.
const transportBackoff = 50 * time.Millisecond

func newConn(r *loadRun, index uint32, tlsConfig *tls.Config) (*conn, error) {
	transport := &http.Transport{
		TLSClientConfig:     tlsConfig.Clone(),
		MaxConnsPerHost:     1,
		MaxIdleConnsPerHost: 1,
		IdleConnTimeout:     time.Minute,
		// An empty map turns HTTP/2 off. kubeguard offers only HTTP/1.1, so that is how the API server calls it,
		// and a comparison with another webhook uses the same protocol on both sides.
		TLSNextProto:       map[string]func(string, *tls.Conn) http.RoundTripper{},
		DisableCompression: true,
	}
	if _, err := http.NewRequest(http.MethodPost, r.opts.url, http.NoBody); err != nil {
		return nil, fmt.Errorf("--url: %w", err)
	}
	largest := 0
	for i := range r.opts.bodies {
		largest = max(largest, r.opts.bodies[i].Size())
	}
	c := &conn{
		run:    r,
		index:  index,
		client: &http.Client{Transport: transport, Timeout: r.opts.timeout},
		out:    make([]byte, 0, largest),
		in:     make([]byte, 0, 4096),
		stats: connStats{
			errors:  map[string]int{},
			samples: map[string]string{},
			perBody: make([]bodyCount, len(r.opts.bodies)),
		},
	}
	c.renew()
	return c, nil
}

// renew gives the connection a request and body buffer of its own, after a failure that may have left the
// transport holding the previous ones.
func (c *conn) renew() {
	c.reader = bytes.NewReader(nil)
	// The URL was parsed once by newConn.
	c.req, _ = http.NewRequest(http.MethodPost, c.run.opts.url, io.NopCloser(c.reader))
	c.req.Header.Set("Content-Type", "application/json")
	c.req.Header.Set("Accept", "application/json")
	c.out = make([]byte, 0, cap(c.out))
}

func (c *conn) loop() {
	bodies := c.run.opts.bodies
	// Connections start at different bodies, so that a mix is in flight at once from the first request.
	next := int(c.index) % len(bodies)
	var uid review.UID
	for seq := uint64(0); ; seq++ {
		p, ok := c.run.next()
		if !ok {
			return
		}
		i := next
		next = (next + 1) % len(bodies)
		review.NewUID(&uid, c.index, seq)
		start := time.Now()
		verdict, kind, err := c.send(&bodies[i], &uid)
		latency := time.Since(start)
		if p == measuring {
			c.stats.record(i, verdict, latency, kind, err)
		}
		if kind == errTransport {
			time.Sleep(transportBackoff)
		}
	}
}

// send makes one request and checks its answer. It returns the verdict, or the kind of error and the error.
func (c *conn) send(b *review.Body, uid *review.UID) (review.Verdict, string, error) {
	c.out = b.Append(c.out[:0], uid)
	c.reader.Reset(c.out)
	c.req.ContentLength = int64(len(c.out))
	resp, err := c.client.Do(c.req)
	if err != nil {
		c.renew()
		return "", errTransport, err
	}
	c.in, err = readAll(c.in[:0], resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return "", errTransport, fmt.Errorf("reading the response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", errStatus, fmt.Errorf("%s: %s", resp.Status, review.Truncate(c.in))
	}
	got, err := review.ParseResponse(c.in)
	if err != nil {
		return "", errDecode, err
	}
	if got.UID != uid.String() {
		return "", errUID, fmt.Errorf("response UID %q for request UID %q", got.UID, uid[:])
	}
	v := got.Verdict()
	if v != b.Expect {
		return v, errVerdict, fmt.Errorf("%s: %s, want %s: %s", b.Name, v, b.Expect, got.Message())
	}
	return v, "", nil
}

// readAll is io.ReadAll into a reused buffer.
func readAll(dst []byte, r io.Reader) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

func (c *conn) close() { c.client.CloseIdleConnections() }

func (s *connStats) record(body int, v review.Verdict, latency time.Duration, kind string, err error) {
	s.latencies = append(s.latencies, latency)
	s.perBody[body].sent++
	switch v {
	case review.Allowed:
		s.allowed++
		s.perBody[body].allowed++
	case review.Denied:
		s.denied++
		s.perBody[body].denied++
	}
	if err != nil {
		s.errors[kind]++
		if _, ok := s.samples[kind]; !ok {
			s.samples[kind] = err.Error()
		}
	}
}
