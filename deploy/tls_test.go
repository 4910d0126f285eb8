package deploy

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
)

func base64Of(data []byte) string { return base64.StdEncoding.EncodeToString(data) }

func parseCertificate(t *testing.T, data []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(data)
	require.NotNil(t, block, "not PEM")
	require.Equal(t, "CERTIFICATE", block.Type)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return cert
}

// TestGeneratedCertificate checks the CA and serving certificate the chart generates by default: the
// API server must be able to verify the Service's name against the CA the webhook configuration
// carries, with the key the pods mount.
func TestGeneratedCertificate(t *testing.T) {
	const days = 30
	ms := parseManifests(t, newHelm(t).template(t, nil, "--set", fmt.Sprintf("generatedCertificate.validityDays=%d", days)))

	var secret corev1.Secret
	decode(t, only(t, ms, "Secret"), &secret)
	assert.Equal(t, corev1.SecretTypeTLS, secret.Type)
	_, err := tls.X509KeyPair(secret.Data["tls.crt"], secret.Data["tls.key"])
	require.NoError(t, err, "tls.key does not belong to tls.crt")
	ca := parseCertificate(t, secret.Data["ca.crt"])
	serving := parseCertificate(t, secret.Data["tls.crt"])
	assert.True(t, ca.IsCA, "ca.crt is not a CA")
	assert.Equal(t, days*24*time.Hour, serving.NotAfter.Sub(serving.NotBefore), "serving certificate validity")
	assert.Equal(t, days*24*time.Hour, ca.NotAfter.Sub(ca.NotBefore), "CA validity")

	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	decode(t, only(t, ms, "ValidatingWebhookConfiguration"), &vwc)
	require.NotEmpty(t, vwc.Webhooks)
	for _, w := range vwc.Webhooks {
		assert.Equalf(t, secret.Data["ca.crt"], w.ClientConfig.CABundle, "webhook %s trusts another CA than the Secret's", w.Name)
		require.NotNilf(t, w.ClientConfig.Service, "webhook %s has no service", w.Name)
		roots := x509.NewCertPool()
		roots.AddCert(parseCertificate(t, w.ClientConfig.CABundle))
		// The name the API server dials for a service reference.
		host := w.ClientConfig.Service.Name + "." + w.ClientConfig.Service.Namespace + ".svc"
		_, err := serving.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		assert.NoErrorf(t, err, "webhook %s: the serving certificate does not verify for %s", w.Name, host)
	}
}
