package framework

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/cert-manager/cert-manager/pkg/util/pki"
)

// certLifetime outlives any test run or `make up` session by far; rotation is exercised by issuing new
// certificates, not by waiting for expiry.
const certLifetime = 7 * 24 * time.Hour

// CA is a self-signed certificate authority that issues kubeguard's serving certificates. Its PEM is
// the caBundle of the ValidatingWebhookConfiguration.
type CA struct {
	Cert    *x509.Certificate
	CertPEM []byte
	key     crypto.Signer
}

// ServingCert is a serving certificate and its key, PEM encoded, as kubeguard reads them from its
// --cert-dir.
type ServingCert struct {
	Cert    *x509.Certificate
	CertPEM []byte
	KeyPEM  []byte
}

// NewCA creates a CA with a fresh P-256 key.
func NewCA(commonName string) (*CA, error) {
	key, template, err := newKeyAndTemplate(commonName)
	if err != nil {
		return nil, err
	}
	template.IsCA = true
	template.BasicConstraintsValid = true
	template.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	certPEM, cert, err := pki.SignCertificate(template, template, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("self-signing CA %q: %w", commonName, err)
	}
	return &CA{Cert: cert, CertPEM: certPEM, key: key}, nil
}

// newKeyAndTemplate returns a fresh P-256 key and a certificate template for commonName with a random serial,
// valid from a minute ago (clocks of the processes under test may lag) for certLifetime.
func newKeyAndTemplate(commonName string) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := pki.GenerateECPrivateKey(pki.ECCurve256)
	if err != nil {
		return nil, nil, err
	}
	serial, err := newSerial()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	return key, &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(certLifetime),
	}, nil
}

// IssueServing signs a serving certificate for hosts, each an IP address or a DNS name.
func (ca *CA) IssueServing(hosts ...string) (*ServingCert, error) {
	key, template, err := newKeyAndTemplate("kubeguard")
	if err != nil {
		return nil, err
	}
	template.KeyUsage = x509.KeyUsageDigitalSignature
	template.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	for _, host := range hosts {
		if ip := net.ParseIP(host); ip != nil {
			template.IPAddresses = append(template.IPAddresses, ip)
		} else {
			template.DNSNames = append(template.DNSNames, host)
		}
	}
	certPEM, cert, err := pki.SignCertificate(template, ca.Cert, key.Public(), ca.key)
	if err != nil {
		return nil, fmt.Errorf("signing serving certificate: %w", err)
	}
	keyPEM, err := pki.EncodePKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &ServingCert{Cert: cert, CertPEM: certPEM, KeyPEM: keyPEM}, nil
}

// LoopbackHosts are the names a certificate for a webhook on the loopback interface must carry: the API
// server calls it by URL at 127.0.0.1, people may use localhost.
var LoopbackHosts = []string{"127.0.0.1", "::1", "localhost"}

// WriteTo writes tls.key and tls.crt into dir. Each file is replaced by a rename, so a watcher never
// reads a half-written file. The key goes first: until the certificate follows, a reload finds a
// mismatched pair and keeps serving the previous one.
func (s *ServingCert) WriteTo(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := replaceFile(filepath.Join(dir, "tls.key"), s.KeyPEM, 0o600); err != nil {
		return err
	}
	return replaceFile(filepath.Join(dir, "tls.crt"), s.CertPEM, 0o644)
}

func replaceFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// CABundle joins CA certificates into one PEM bundle, as a caBundle that trusts several CAs during a
// CA rotation.
func CABundle(cas ...*CA) []byte {
	var bundle []byte
	for _, ca := range cas {
		bundle = append(bundle, ca.CertPEM...)
	}
	return bundle
}

// CertPool returns a pool trusting the given CAs, for clients that call kubeguard directly.
func CertPool(cas ...*CA) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, ca := range cas {
		pool.AddCert(ca.Cert)
	}
	return pool
}

func newSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}
