package webhook_test

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cert-manager/cert-manager/pkg/util/pki"
	"github.com/stretchr/testify/require"
)

// testCA is a certificate authority that issues serving certificates for the test server.
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := pki.GenerateECPrivateKey(pki.ECCurve256)
	require.NoError(t, err)
	template := &x509.Certificate{
		SerialNumber:          serialNumber(t),
		Subject:               pkix.Name{CommonName: "kubeguard test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	_, cert, err := pki.SignCertificate(template, template, key.Public(), key)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issueServing writes a new serving certificate for 127.0.0.1 and its key to dir as tls.crt and tls.key, the
// names kubeguard serves from, and returns the certificate.
func (ca *testCA) issueServing(t *testing.T, dir string) *x509.Certificate {
	t.Helper()
	key, err := pki.GenerateECPrivateKey(pki.ECCurve256)
	require.NoError(t, err)
	template := &x509.Certificate{
		SerialNumber: serialNumber(t),
		Subject:      pkix.Name{CommonName: "kubeguard"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	certPEM, cert, err := pki.SignCertificate(template, ca.cert, key.Public(), ca.key)
	require.NoError(t, err)
	keyPEM, err := pki.EncodePKCS8PrivateKey(key)
	require.NoError(t, err)

	// Each file is replaced in one rename, as the kubelet does with a mounted Secret, so that a reader never
	// sees half a file.
	writeAtomically(t, filepath.Join(dir, "tls.key"), keyPEM)
	writeAtomically(t, filepath.Join(dir, "tls.crt"), certPEM)
	return cert
}

func writeAtomically(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".new"
	require.NoError(t, os.WriteFile(tmp, data, 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

func serialNumber(t *testing.T) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	require.NoError(t, err)
	return n
}
