package webhook_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/webhook"
)

// testServer is kubeguard's HTTPS server on a free loopback port, serving certificates from its own directory.
type testServer struct {
	addr    string
	certDir string
	ca      *testCA
	cert    *x509.Certificate
}

// startServer starts the server with a certificate from a new CA and stops it when the test ends.
func startServer(t *testing.T) *testServer {
	t.Helper()
	return startServerWith(t, func(*webhook.ServerOptions) {})
}

// startServerWith starts the server with options changed by change.
func startServerWith(t *testing.T, change func(*webhook.ServerOptions)) *testServer {
	t.Helper()
	s := &testServer{certDir: t.TempDir(), ca: newTestCA(t)}
	s.cert = s.ca.issueServing(t, s.certDir)

	port := freePort(t)
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	opts := webhook.ServerOptions{Host: "127.0.0.1", Port: port, CertDir: s.certDir, Policy: policy.Default()}
	change(&opts)
	srv := webhook.NewServer(opts)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-stopped, "the server stops cleanly")
	})

	started := srv.StartedChecker()
	require.Eventually(t, func() bool {
		select {
		case err := <-stopped:
			require.NoError(t, err, "the server failed to start")
		default:
		}
		return started(nil) == nil
	}, 10*time.Second, 10*time.Millisecond, "the server never started")
	return s
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// client trusts only the test CA and opens a new connection for every request, as a restarted API server
// would, so that each request sees the certificate served at that moment.
func (s *testServer) client() *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: s.ca.pool, MinVersion: tls.VersionTLS12},
		DisableKeepAlives: true,
	}}
}

// post sends body to path and returns the HTTP status and the AdmissionReview answered.
func (s *testServer) post(t *testing.T, path, contentType string, body []byte) (int, admissionv1.AdmissionReview) {
	t.Helper()
	resp, err := s.client().Post("https://"+s.addr+path, contentType, bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var answer admissionv1.AdmissionReview
	require.NoError(t, json.Unmarshal(data, &answer), "the answer is an AdmissionReview: %s", data)
	require.NotNil(t, answer.Response, "the answer has a response: %s", data)
	return resp.StatusCode, answer
}

// servedSerial opens a new TLS connection and returns the serial number of the certificate served on it.
func (s *testServer) servedSerial(t *testing.T) string {
	t.Helper()
	conn, err := tls.Dial("tcp", s.addr, &tls.Config{RootCAs: s.ca.pool, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

func TestServer(t *testing.T) {
	s := startServer(t)
	privileged := newPod("web", privilegedSpec())

	t.Run("validate", func(t *testing.T) {
		req := review(t, admissionv1.Create, privileged, nil)
		code, answer := s.post(t, webhook.ValidatePath, "application/json", reviewBody(t, req))
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, "admission.k8s.io/v1", answer.APIVersion)
		assert.Equal(t, "AdmissionReview", answer.Kind)
		assertAnswer(t, denied("pods", "web", privilegedViolations("spec")...), answer.Response)
		assert.Equal(t, req.UID, answer.Response.UID)
	})
	t.Run("validate compliant", func(t *testing.T) {
		req := review(t, admissionv1.Create, newPod("web", compliantSpec()), nil)
		code, answer := s.post(t, webhook.ValidatePath, "application/json", reviewBody(t, req))
		assert.Equal(t, http.StatusOK, code)
		assertAnswer(t, allowed, answer.Response)
		assert.Equal(t, req.UID, answer.Response.UID)
	})
	t.Run("dry-run", func(t *testing.T) {
		req := review(t, admissionv1.Create, privileged, nil)
		code, answer := s.post(t, webhook.DryRunPath, "application/json", reviewBody(t, req))
		assert.Equal(t, http.StatusOK, code)
		assertAnswer(t, warned(privilegedViolations("spec")...), answer.Response)
		assert.Equal(t, req.UID, answer.Response.UID)
	})
	t.Run("malformed JSON", func(t *testing.T) {
		body := reviewBody(t, review(t, admissionv1.Create, privileged, nil))
		for name, b := range map[string][]byte{
			"truncated": body[:len(body)/2],
			"not JSON":  []byte("apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n"),
			"empty":     nil,
		} {
			t.Run(name, func(t *testing.T) {
				_, answer := s.post(t, webhook.ValidatePath, "application/json", b)
				assert.False(t, answer.Response.Allowed)
				require.NotNil(t, answer.Response.Result)
				assert.Equal(t, int32(http.StatusBadRequest), answer.Response.Result.Code)
			})
		}
	})
	t.Run("wrong content type", func(t *testing.T) {
		body := reviewBody(t, review(t, admissionv1.Create, privileged, nil))
		for _, contentType := range []string{"text/plain", "application/yaml", ""} {
			t.Run(contentType, func(t *testing.T) {
				_, answer := s.post(t, webhook.ValidatePath, contentType, body)
				assert.False(t, answer.Response.Allowed)
				require.NotNil(t, answer.Response.Result)
				assert.Equal(t, int32(http.StatusBadRequest), answer.Response.Result.Code)
			})
		}
	})
	t.Run("TLS 1.1 refused", func(t *testing.T) {
		conn, err := tls.Dial("tcp", s.addr, &tls.Config{RootCAs: s.ca.pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
		if err == nil {
			conn.Close()
		}
		require.Error(t, err)
		assert.Contains(t, err.Error(), "protocol version")
	})
	t.Run("TLS 1.2 accepted, HTTP/2 not offered", func(t *testing.T) {
		conn, err := tls.Dial("tcp", s.addr, &tls.Config{RootCAs: s.ca.pool, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}})
		require.NoError(t, err)
		defer conn.Close()
		assert.Equal(t, uint16(tls.VersionTLS12), conn.ConnectionState().Version)
		assert.Equal(t, "http/1.1", conn.ConnectionState().NegotiatedProtocol)
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		_, err := tls.Dial("tcp", s.addr, &tls.Config{RootCAs: newTestCA(t).pool, MinVersion: tls.VersionTLS12})
		require.Error(t, err, "a client that trusts another CA must refuse the server")
	})
}

// Certificates replaced on disk (as the kubelet updates a mounted Secret) are served on new connections
// without a restart.
func TestServerReloadsCertificate(t *testing.T) {
	s := startServer(t)
	require.Equal(t, s.cert.SerialNumber.String(), s.servedSerial(t))

	renewed := s.ca.issueServing(t, s.certDir)
	require.NotEqual(t, s.cert.SerialNumber, renewed.SerialNumber)
	// The watcher reacts to file events at once and re-reads the files every 10 seconds in any case.
	require.Eventually(t, func() bool {
		return s.servedSerial(t) == renewed.SerialNumber.String()
	}, 30*time.Second, 50*time.Millisecond, "the renewed certificate was never served")

	req := review(t, admissionv1.Create, newPod("web", compliantSpec()), nil)
	code, answer := s.post(t, webhook.ValidatePath, "application/json", reviewBody(t, req))
	assert.Equal(t, http.StatusOK, code)
	assertAnswer(t, allowed, answer.Response)
	assert.Equal(t, req.UID, answer.Response.UID)
}

// A client that sends part of a body and stalls is cut off once the API server's timeout (or 5 s) has
// passed, instead of holding a connection and its buffer for as long as it likes.
func TestStalledBodyIsCutOff(t *testing.T) {
	s := startServer(t)
	conn, err := tls.Dial("tcp", s.addr, &tls.Config{RootCAs: s.ca.pool, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST %s?timeout=1s HTTP/1.1\r\nHost: kubeguard\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"apiVersion\":", webhook.ValidatePath)
	require.NoError(t, err)

	// Bounds the test, not kubeguard: the cut comes after about a second.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the server answers before the test gives up")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(data), "reading the request body")
}
