package deploy

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// testCluster is a control plane with the clients a cluster admin uses on it.
type testCluster struct {
	cp      *framework.ControlPlane
	kubectl *framework.CLI
	helm    *framework.CLI
	dir     string
}

// startCluster starts etcd and kube-apiserver for one test and stops them when it ends. No webhook is
// registered: the chart registers its own.
func startCluster(t *testing.T) *testCluster {
	t.Helper()
	dir := t.TempDir()
	log, err := os.Create(filepath.Join(dir, "controlplane.log"))
	require.NoError(t, err)
	cp, err := framework.StartControlPlane(framework.ControlPlaneOptions{Kubeconfig: filepath.Join(dir, "kubeconfig"), Output: log})
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.NoError(t, cp.Stop())
		assert.NoError(t, log.Close())
	})
	kubectl, err := framework.Kubectl(cp.Kubeconfig)
	require.NoError(t, err)
	helm, err := framework.Helm(cp.Kubeconfig, filepath.Join(dir, "helm"))
	require.NoError(t, err)
	return &testCluster{cp: cp, kubectl: kubectl, helm: helm, dir: dir}
}

func (c *testCluster) run(t *testing.T, cli *framework.CLI, stdin string, args ...string) framework.Result {
	t.Helper()
	res, err := cli.RunWithInput(t.Context(), strings.NewReader(stdin), args...)
	require.NoError(t, err)
	return res
}

// mustRun runs a command that has to succeed for the test to go on.
func (c *testCluster) mustRun(t *testing.T, cli *framework.CLI, stdin string, args ...string) framework.Result {
	t.Helper()
	res := c.run(t, cli, stdin, args...)
	require.Zero(t, res.ExitCode, res.String())
	return res
}

func (c *testCluster) createNamespace(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	_, err := c.cp.Client.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
	}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err)
	}
}

// eventually retries check until it reports done. The API server learns of a new or changed webhook
// configuration through a watch, so its first requests after helm returns may not see it yet.
func eventually(t *testing.T, what string, check func() (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	for {
		done, last := check()
		if done {
			return
		}
		select {
		case <-ctx.Done():
			require.Failf(t, "gave up waiting", "%s; last attempt:\n%s", what, last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// certManagerCRDs returns the directory of cert-manager's CRDs in the cert-manager module this module
// already requires, so that the versions match the Go types the tests decode Certificates into.
func certManagerCRDs(t *testing.T) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-m", "-f", "{{.Dir}}", "github.com/cert-manager/cert-manager").Output()
	require.NoError(t, err, "go list of the cert-manager module")
	dir := filepath.Join(strings.TrimSpace(string(out)), "deploy", "crds")
	require.DirExists(t, dir)
	return dir
}

// waitEstablished waits until the CRDs can be used. kubectl wait fails at once, instead of waiting, on a
// CRD whose status has no conditions yet, so it is asked again until it succeeds or a minute has passed.
func (c *testCluster) waitEstablished(t *testing.T, crds ...string) {
	t.Helper()
	args := append([]string{"wait", "--for=condition=Established", "--timeout=10s"}, crds...)
	deadline := time.Now().Add(time.Minute)
	for {
		res := c.run(t, c.kubectl, "", args...)
		if res.ExitCode == 0 {
			return
		}
		if time.Now().After(deadline) {
			require.Zero(t, res.ExitCode, "CRDs not established after a minute: %s", res.String())
		}
		time.Sleep(time.Second)
	}
}

// withoutKind drops the objects of one kind from a rendering.
func withoutKind(t *testing.T, rendered, kind string) string {
	t.Helper()
	var docs []string
	for _, m := range parseManifests(t, rendered) {
		if m.Kind != kind {
			docs = append(docs, string(m.YAML))
		}
	}
	return strings.Join(docs, "\n---\n")
}

// TestServerSideDryRunApply has the API server validate every rendering as `kubectl apply
// --dry-run=server` does: schemas, field validation (strict: unknown fields fail), defaulting. The
// cert-manager CRDs come from the cert-manager module; the prometheus-operator CRDs are not at hand,
// so ServiceMonitors are left to TestServiceMonitorScrapesTheService and PrometheusRules to
// TestPrometheusRuleReadsKubeguardMetrics.
func TestServerSideDryRunApply(t *testing.T) {
	c := startCluster(t)
	c.mustRun(t, c.kubectl, "", "apply", "--server-side", "-f", certManagerCRDs(t))
	c.waitEstablished(t, "crd/certificates.cert-manager.io", "crd/issuers.cert-manager.io", "crd/clusterissuers.cert-manager.io")
	h := newHelm(t)
	for _, set := range valueSets {
		t.Run(set, func(t *testing.T) {
			rendered := h.template(t, []string{valuesFile(set)})
			for _, m := range parseManifests(t, rendered) {
				if m.Namespace != "" {
					c.createNamespace(t, m.Namespace, nil)
				}
			}
			res := c.run(t, c.kubectl, withoutKind(t, withoutKind(t, rendered, "ServiceMonitor"), "PrometheusRule"), "apply", "--dry-run=server", "-f", "-")
			assert.Zero(t, res.ExitCode, res.String())
		})
	}
}

// TestGeneratedCertificateSurvivesUpgrade installs the chart with its generated certificate and checks
// that helm upgrade keeps the CA and certificate (no rotation, no TLS break for running pods) and that
// deleting the Secret and upgrading issues a new pair the webhook configuration trusts.
func TestGeneratedCertificateSurvivesUpgrade(t *testing.T) {
	c := startCluster(t)
	const release, namespace = "kubeguard", "kubeguard-system"
	// Nothing serves in this control plane (it runs no pods): Ignore keeps the registered webhook from
	// blocking the API server's own work.
	install := []string{"--namespace", namespace, "--set", "webhook.failurePolicy=Ignore"}
	c.mustRun(t, c.helm, "", append([]string{"install", release, chartDir, "--create-namespace"}, install...)...)

	tlsOf := func() (caBundle []byte, secret map[string][]byte) {
		t.Helper()
		secrets, err := c.cp.Client.CoreV1().Secrets(namespace).List(t.Context(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + release})
		require.NoError(t, err)
		require.Len(t, secrets.Items, 1)
		vwc, err := c.cp.Client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(t.Context(), release, metav1.GetOptions{})
		require.NoError(t, err)
		for _, w := range vwc.Webhooks {
			assert.Equalf(t, secrets.Items[0].Data["ca.crt"], w.ClientConfig.CABundle, "webhook %s trusts another CA than the Secret's", w.Name)
		}
		return vwc.Webhooks[0].ClientConfig.CABundle, secrets.Items[0].Data
	}
	firstCA, firstSecret := tlsOf()

	c.mustRun(t, c.helm, "", append([]string{"upgrade", release, chartDir, "--set", "replicaCount=3"}, install...)...)
	ca, secret := tlsOf()
	assert.Equal(t, firstCA, ca, "helm upgrade changed the CA")
	assert.Equal(t, firstSecret, secret, "helm upgrade changed the certificate")

	secrets, err := c.cp.Client.CoreV1().Secrets(namespace).List(t.Context(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + release})
	require.NoError(t, err)
	require.NoError(t, c.cp.Client.CoreV1().Secrets(namespace).Delete(t.Context(), secrets.Items[0].Name, metav1.DeleteOptions{}))
	c.mustRun(t, c.helm, "", append([]string{"upgrade", release, chartDir}, install...)...)
	ca, secret = tlsOf()
	assert.NotEqual(t, firstCA, ca, "a deleted Secret was not replaced by a new CA")
	assert.NotEqual(t, firstSecret["tls.key"], secret["tls.key"])

	c.mustRun(t, c.helm, "", "uninstall", release, "--namespace", namespace, "--wait")
}

// TestInstallUpgradeUninstall installs the chart with webhook.url pointing at a running `kubeguard
// serve`, which runs with the config the release keeps in its ConfigMap (as docs/install.md tells
// admins of an out-of-cluster kubeguard to do), and checks what users meet: a non-compliant Deployment
// is denied; a namespace labelled kubeguard.io/mode=dry-run only gets warnings; after `helm upgrade`
// to mode dry-run every namespace only gets warnings; `helm uninstall` leaves no webhook behind.
func TestInstallUpgradeUninstall(t *testing.T) {
	c := startCluster(t)
	const release, namespace = "kubeguard", "kubeguard-system"

	ca, err := framework.NewCA("kubeguard-ca")
	require.NoError(t, err)
	serving, err := ca.IssueServing(framework.LoopbackHosts...)
	require.NoError(t, err)
	certDir := filepath.Join(c.dir, "certs")
	require.NoError(t, serving.WriteTo(certDir))
	// Empty until the release exists: kubeguard's defaults.
	configFile := filepath.Join(c.dir, "config.yaml")
	require.NoError(t, os.WriteFile(configFile, nil, 0o644))
	log, err := os.Create(filepath.Join(c.dir, "kubeguard.log"))
	require.NoError(t, err)
	defer log.Close()
	kubeguard, err := framework.StartKubeguard(t.Context(), framework.KubeguardOptions{
		CertDir: certDir, ConfigFile: configFile, Trust: framework.CertPool(ca), Output: log,
	})
	require.NoError(t, err)
	defer func() { assert.NoError(t, kubeguard.Stop()) }()

	// serveReleaseConfig restarts kubeguard with the config the release's ConfigMap holds.
	serveReleaseConfig := func() {
		t.Helper()
		cm, err := c.cp.Client.CoreV1().ConfigMaps(namespace).Get(t.Context(), release, metav1.GetOptions{})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(configFile, []byte(cm.Data["config.yaml"]), 0o644))
		require.NoError(t, kubeguard.Stop())
		require.NoError(t, kubeguard.Start(t.Context()))
	}

	install := []string{"--namespace", namespace,
		"--set", "webhook.url=" + kubeguard.URL(""),
		"--set", "webhook.caBundle=" + base64.StdEncoding.EncodeToString(ca.CertPEM)}
	c.mustRun(t, c.helm, "", append([]string{"install", release, chartDir, "--create-namespace", "--wait"}, install...)...)
	serveReleaseConfig()

	c.createNamespace(t, "team-a", nil)
	c.createNamespace(t, "team-b", map[string]string{"kubeguard.io/mode": "dry-run"})
	deployment, err := os.ReadFile(filepath.Join("testdata", "privileged-deployment.yaml"))
	require.NoError(t, err)
	apply := func(ns string, extra ...string) framework.Result {
		return c.run(t, c.kubectl, string(deployment), append([]string{"apply", "--namespace", ns, "-f", "-"}, extra...)...)
	}
	const violation = `privileged: container "app": spec.template.spec.containers[0].securityContext.privileged`
	const warning = `Warning: [dry-run] privileged: container "app": privileged is true`
	eventually(t, "the API server never called the chart's webhook", func() (bool, string) {
		res := apply("team-a", "--dry-run=server")
		return res.ExitCode != 0 && strings.Contains(res.Stderr, "admission webhook"), res.String()
	})

	denied := apply("team-a")
	assert.NotZero(t, denied.ExitCode, denied.String())
	assert.Contains(t, denied.Stderr, `admission webhook "validate.kubeguard.io" denied the request: deployments.apps "web" is forbidden`)
	assert.Contains(t, denied.Stderr, violation)

	// The check NOTES.txt and docs/install.md give admins.
	probe := []string{"run", "kubeguard-probe", "--image=busybox", "--privileged", "--dry-run=server", "--namespace", "team-a"}
	probed := c.run(t, c.kubectl, "", probe...)
	assert.NotZero(t, probed.ExitCode, probed.String())
	assert.Contains(t, probed.Stderr, `admission webhook "validate.kubeguard.io" denied the request: pods "kubeguard-probe" is forbidden`)

	warned := apply("team-b")
	assert.Zero(t, warned.ExitCode, warned.String())
	assert.Contains(t, warned.Stderr, warning)

	c.mustRun(t, c.helm, "", append([]string{"upgrade", release, chartDir, "--wait", "--set", "mode=dry-run"}, install...)...)
	serveReleaseConfig()
	warned = apply("team-a")
	assert.Zero(t, warned.ExitCode, warned.String())
	assert.Contains(t, warned.Stderr, warning)
	probed = c.run(t, c.kubectl, "", probe...)
	assert.Zero(t, probed.ExitCode, probed.String())
	assert.Contains(t, probed.Stderr, "Warning: [dry-run] privileged: ")

	c.mustRun(t, c.helm, "", "uninstall", release, "--namespace", namespace, "--wait")
	vwcs, err := c.cp.Client.AdmissionregistrationV1().ValidatingWebhookConfigurations().List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, vwcs.Items, "helm uninstall left webhook configurations behind")
	_, err = c.cp.Client.CoreV1().ConfigMaps(namespace).Get(t.Context(), release, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "helm uninstall left the ConfigMap behind: %v", err)
}

// TestInstallRefusesBadValues checks that helm install stops on a values file with a mode that does not
// exist, with the schema's message, before creating anything.
func TestInstallRefusesBadValues(t *testing.T) {
	c := startCluster(t)
	res := c.run(t, c.helm, "", "install", "kubeguard", chartDir, "--namespace", "default", "--values", filepath.Join("testdata", "bad-mode.yaml"))
	assert.NotZero(t, res.ExitCode, res.String())
	assert.Contains(t, res.Stderr, "at '/mode': value must be one of 'enforce', 'dry-run'")
	status := c.run(t, c.helm, "", "status", "kubeguard", "--namespace", "default")
	assert.NotZero(t, status.ExitCode, "a release was recorded:\n%s", status)
	assert.Contains(t, status.Stderr, "not found")
	vwcs, err := c.cp.Client.AdmissionregistrationV1().ValidatingWebhookConfigurations().List(t.Context(), metav1.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, vwcs.Items)
}
