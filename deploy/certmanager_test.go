package deploy

import (
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

// TestCertManagerChain follows the chart's own cert-manager chain: the serving Certificate covers the
// Service's DNS name and is issued by a CA Issuer, whose CA comes from a Certificate issued by the
// self-signed Issuer.
func TestCertManagerChain(t *testing.T) {
	ms := parseManifests(t, newHelm(t).template(t, []string{valuesFile("cert-manager")}))
	var service corev1.Service
	decode(t, only(t, ms, "Service"), &service)
	serving := certificateBySecret(t, ms, servingSecretName(t, ms, webhookConfiguration(t, ms)))
	assert.Contains(t, serving.Spec.DNSNames, service.Name+"."+service.Namespace+".svc")
	assert.False(t, serving.Spec.IsCA)

	var caIssuer cmapi.Issuer
	decode(t, named(t, ms, serving.Spec.IssuerRef.Kind, serving.Spec.IssuerRef.Name), &caIssuer)
	require.NotNil(t, caIssuer.Spec.CA, "the serving certificate's issuer is not a CA issuer")
	ca := certificateBySecret(t, ms, caIssuer.Spec.CA.SecretName)
	assert.True(t, ca.Spec.IsCA)

	var selfSigned cmapi.Issuer
	decode(t, named(t, ms, ca.Spec.IssuerRef.Kind, ca.Spec.IssuerRef.Name), &selfSigned)
	assert.NotNil(t, selfSigned.Spec.SelfSigned, "the CA's issuer is not self-signed")
}

// TestCertManagerIssuerRef checks that a given issuer replaces the chart's own chain.
func TestCertManagerIssuerRef(t *testing.T) {
	ms := parseManifests(t, newHelm(t).template(t, []string{valuesFile("cert-manager")},
		"--set", "certManager.issuerRef.name=corp-ca", "--set", "certManager.issuerRef.kind=ClusterIssuer"))
	assert.Empty(t, ofKind(ms, "Issuer"))
	certificates := ofKind(ms, "Certificate")
	require.Len(t, certificates, 1)
	var cert cmapi.Certificate
	decode(t, certificates[0], &cert)
	assert.Equal(t, "corp-ca", cert.Spec.IssuerRef.Name)
	assert.Equal(t, "ClusterIssuer", cert.Spec.IssuerRef.Kind)
}

func certificateBySecret(t *testing.T, ms []manifest, secretName string) cmapi.Certificate {
	t.Helper()
	for _, m := range ofKind(ms, "Certificate") {
		var cert cmapi.Certificate
		decode(t, m, &cert)
		if cert.Spec.SecretName == secretName {
			return cert
		}
	}
	require.Failf(t, "certificate missing", "no Certificate writes Secret %q", secretName)
	return cmapi.Certificate{}
}
