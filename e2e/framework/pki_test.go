package framework

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServingCertificateIsTrustedOnlyThroughItsCA(t *testing.T) {
	ca, err := NewCA("test-ca")
	require.NoError(t, err)
	other, err := NewCA("other-ca")
	require.NoError(t, err)
	serving, err := ca.IssueServing(LoopbackHosts...)
	require.NoError(t, err)

	for _, host := range LoopbackHosts {
		t.Run(host, func(t *testing.T) {
			opts := x509.VerifyOptions{DNSName: host, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
			opts.Roots = CertPool(ca)
			_, err := serving.Cert.Verify(opts)
			assert.NoError(t, err, "trusted through its CA")
			opts.Roots = CertPool(other)
			_, err = serving.Cert.Verify(opts)
			assert.Error(t, err, "trusted through another CA")
			opts.Roots = CertPool(other, ca)
			_, err = serving.Cert.Verify(opts)
			assert.NoError(t, err, "trusted through a bundle holding its CA")
		})
	}
}

func TestServingCertificateWrittenToCertDirLoads(t *testing.T) {
	ca, err := NewCA("test-ca")
	require.NoError(t, err)
	dir := t.TempDir()
	for range 2 { // the second write replaces the first
		serving, err := ca.IssueServing("127.0.0.1")
		require.NoError(t, err)
		require.NoError(t, serving.WriteTo(dir))

		pair, err := tls.LoadX509KeyPair(dir+"/tls.crt", dir+"/tls.key")
		require.NoError(t, err)
		assert.Equal(t, serving.Cert.Raw, pair.Certificate[0])
	}
}
