package deploy

import (
	"github.com/kubeguard/kubeguard/internal/testgolden"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
)

// TestTemplateMatchesGolden renders every values set and compares it with its golden file. Run
// `go test ./deploy/... -update` to rewrite the golden files after changing the chart, and review the diff.
func TestTemplateMatchesGolden(t *testing.T) {
	h := newHelm(t)
	for _, set := range valueSets {
		t.Run(set, func(t *testing.T) {
			rendered := maskGeneratedTLS(t, h.template(t, []string{valuesFile(set)}))
			golden := filepath.Join("testdata", "golden", set+".yaml")
			testgolden.Assert(t, golden, rendered, "go test ./deploy -run TestTemplateMatchesGolden -update")
		})
	}
}

// maskGeneratedTLS replaces the CA, certificate and key the chart generates anew in every offline
// rendering with fixed placeholders, wherever they appear (Secret and caBundle). TestGeneratedCertificate
// checks what was masked.
func maskGeneratedTLS(t *testing.T, rendered string) string {
	t.Helper()
	for _, m := range ofKind(parseManifests(t, rendered), "Secret") {
		var secret corev1.Secret
		decode(t, m, &secret)
		if secret.Type != corev1.SecretTypeTLS {
			continue
		}
		for _, key := range []string{"ca.crt", "tls.crt", "tls.key"} {
			encoded := base64Of(secret.Data[key])
			require.NotEmptyf(t, encoded, "Secret %s has no %s", m.Name, key)
			rendered = strings.ReplaceAll(rendered, encoded, "MASKED-generated-"+key)
		}
	}
	return rendered
}
