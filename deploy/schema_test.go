package deploy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBadValuesAreRefused checks that a wrong value stops `helm template` (and so `helm install`) with a
// message naming the value, from values.schema.json or from the chart's own checks across values.
func TestBadValuesAreRefused(t *testing.T) {
	tests := []struct {
		name   string
		values string
		want   []string
	}{
		{"unknown mode", "mode: audit", []string{"at '/mode'", "'enforce', 'dry-run'"}},
		{"off is for single rules only", "mode: \"off\"", []string{"at '/mode'"}},
		{"profileVersion of another major version", "profileVersion: v2.0", []string{"at '/profileVersion'", "does not match pattern"}},
		{"profileVersion newer than kubeguard knows", "profileVersion: v1.99", []string{"at '/profileVersion'", "does not match pattern"}},
		{"profileVersion without its v", "profileVersion: \"1.30\"", []string{"at '/profileVersion'", "does not match pattern"}},
		{"unknown rule mode", "rules: {privileged: {mode: warn}}", []string{"at '/rules/privileged/mode'", "'enforce', 'dry-run', 'off'"}},
		{"unknown rule", "rules: {privileged-containers: {mode: enforce}}", []string{"at '/rules'", "'privileged-containers' not allowed"}},
		{"setting of another rule", "rules: {privileged: {allowedUsers: [alice]}}", []string{"at '/rules/privileged'", "'allowedUsers' not allowed"}},
		{"setting of the wrong type", "rules: {apparmor-profile: {requireProfile: \"yes\"}}", []string{"at '/rules/apparmor-profile/requireProfile'", "boolean"}},
		{"star inside a user name", "exemptions: {users: [\"system:*:admin\"]}", []string{"at '/exemptions/users/0'", "does not match pattern"}},
		{"namespace that cannot exist", "exemptions: {namespaces: [Team_A]}", []string{"at '/exemptions/namespaces/0'", "does not match pattern"}},
		{"negative replica count", "replicaCount: -1", []string{"at '/replicaCount'", "minimum"}},
		{"no replicas", "replicaCount: 0", []string{"at '/replicaCount'", "minimum"}},
		{"misspelt key", "replicas: 3", []string{"additional properties 'replicas' not allowed"}},
		{"unknown failure policy", "webhook: {failurePolicy: Retry}", []string{"at '/webhook/failurePolicy'", "'Fail', 'Ignore'"}},
		{"timeout beyond the API server's limit", "webhook: {timeoutSeconds: 31}", []string{"at '/webhook/timeoutSeconds'", "maximum"}},
		{"plain http url", "webhook: {url: \"http://kubeguard.example.com\", caBundle: Zm9v}", []string{"at '/webhook/url'", "does not match pattern"}},
		{"issuer without a name", "certManager: {enabled: true, issuerRef: {kind: ClusterIssuer}}", []string{"at '/certManager/issuerRef'", "missing property 'name'"}},
		{"digest without its algorithm", "image: {digest: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}", []string{"at '/image/digest'", "does not match pattern"}},
		{"digest given as a tag", "image: {digest: \"v0.1.0\"}", []string{"at '/image/digest'", "does not match pattern"}},
		{"unknown pull policy", "image: {pullPolicy: Sometimes}", []string{"at '/image/pullPolicy'"}},
		{"url without a CA", "webhook: {url: \"https://kubeguard.example.com\"}", []string{"webhook.caBundle is required with webhook.url"}},
		{"CA that is not PEM", "webhook: {url: \"https://kubeguard.example.com\", caBundle: Zm9v}", []string{"webhook.caBundle must be base64-encoded PEM"}},
		{"CA without url", "webhook: {caBundle: Zm9v}", []string{"webhook.caBundle is only used with webhook.url"}},
		{"url and cert-manager", "webhook: {url: \"https://kubeguard.example.com\", caBundle: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t}\ncertManager: {enabled: true}", []string{"webhook.url and certManager.enabled exclude each other"}},
		{"ServiceMonitor without metrics", "metrics: {enabled: false, serviceMonitor: {enabled: true}}", []string{"metrics.serviceMonitor.enabled needs metrics.enabled"}},
		{"PrometheusRule without metrics", "metrics: {enabled: false, prometheusRule: {enabled: true}}", []string{"metrics.prometheusRule.enabled needs metrics.enabled"}},
		{"PrometheusRule label not a string", "metrics: {prometheusRule: {enabled: true, alertLabels: {page: true}}}", []string{"at '/metrics/prometheusRule/alertLabels/page'"}},
	}
	h := newHelm(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "values.yaml")
			require.NoError(t, os.WriteFile(path, []byte(tt.values+"\n"), 0o644))
			res := h.run(t, "template", releaseName, chartDir, "--namespace", releaseNamespace, "--values", path)
			require.NotZerof(t, res.ExitCode, "helm accepted\n%s\n%s", tt.values, res)
			for _, want := range tt.want {
				assert.Contains(t, res.Stderr, want)
			}
		})
	}
}
