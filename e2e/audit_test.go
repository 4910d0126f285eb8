package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// auditOutput is what the tests read of kubeguard audit -o json.
type auditOutput struct {
	Namespaces []struct {
		Name   string         `json:"name"`
		Exempt bool           `json:"exempt"`
		Judged int            `json:"judged"`
		Denied int            `json:"denied"`
		Warned int            `json:"warned"`
		Rules  map[string]int `json:"rules"`
	} `json:"namespaces"`
	Findings []auditFinding `json:"findings"`
	Summary  struct {
		Judged int `json:"judged"`
		Denied int `json:"denied"`
		Warned int `json:"warned"`
	} `json:"summary"`
}

// auditFinding is one finding of kubeguard audit -o json. The tests compare what identifies it (rule,
// object, decision, field, container, nodes, workloads); its message's words are the audit's goldens'.
type auditFinding struct {
	Rule      string   `json:"rule"`
	Namespace string   `json:"namespace"`
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Decision  string   `json:"decision"`
	Field     string   `json:"field"`
	Container string   `json:"container"`
	Nodes     []string `json:"nodes"`
	Workloads []string `json:"workloads"`
	Message   string   `json:"message"`
	Pods      int      `json:"pods"`
}

// runAudit runs bin/kubeguard audit against the test cluster as its admin, returning its output and exit
// code.
func runAudit(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runAuditWith(t, cluster.ControlPlane.Kubeconfig, args...)
}

// runAuditWith runs bin/kubeguard audit with the given kubeconfig.
func runAuditWith(t *testing.T, kubeconfig string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bin, err := framework.BinDir()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "kubeguard"), append([]string{"audit", "--kubeconfig", kubeconfig}, args...)...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil {
		require.ErrorAs(t, err, &exit, "kubeguard audit did not run (is bin/kubeguard built? make build)")
		code = exit.ExitCode()
	}
	t.Logf("kubeguard audit %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return out.String(), errOut.String(), code
}

func auditJSON(t *testing.T, args ...string) (auditOutput, int) {
	t.Helper()
	stdout, _, code := runAudit(t, append(args, "-o", "json")...)
	var out auditOutput
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), "kubeguard audit -o json printed no JSON")
	return out, code
}

// auditedNamespace fills a dry-run namespace with what an existing cluster holds: a non-compliant
// Deployment with three running pods, a compliant one, and a bare non-compliant pod; it waits until the
// controllers have made the Deployments' pods.
func auditedNamespace(t *testing.T) string {
	t.Helper()
	ns := newNamespace(t, true)
	client := cluster.ControlPlane.Client
	ctx := context.Background()
	for name, spec := range map[string]corev1.PodSpec{"legacy": noncompliantPodSpec(), "fixed": compliantPodSpec()} {
		labels := map[string]string{"app": name}
		_, err := client.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](3),
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
			},
		}, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	_, err := client.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bare"}, Spec: noncompliantPodSpec()}, metav1.CreateOptions{})
	require.NoError(t, err)
	eventually(t, settleTimeout, "the Deployments' six pods and the bare one in "+ns, func() (bool, string) {
		pods := livePods(t, ns)
		return len(pods) == 7, strings.Repeat("pod ", len(pods))
	})
	return ns
}

func TestAuditAttributesPodsToTheirWorkload(t *testing.T) {
	ns := auditedNamespace(t)

	out, code := auditJSON(t, "-n", ns)
	assert.Equal(t, 1, code, "enforced rules are broken: exit 1")
	require.Len(t, out.Namespaces, 1)
	assert.Equal(t, ns, out.Namespaces[0].Name)
	// The two Deployments and the bare pod; ReplicaSets and controlled pods are their Deployment's.
	assert.Equal(t, 3, out.Namespaces[0].Judged)
	assert.Equal(t, 2, out.Namespaces[0].Denied)
	assert.Equal(t, []int{3, 2, 0}, []int{out.Summary.Judged, out.Summary.Denied, out.Summary.Warned})
	// Each non-compliant object breaks every pod rule once, in container "app", at its pod spec's path.
	want := map[string][]violation{
		"Deployment/legacy": noncompliantViolations("spec.template.spec"),
		"Pod/bare":          noncompliantViolations("spec"),
	}
	got := map[string][]violation{}
	var unmanaged []string
	for _, f := range out.Findings {
		assert.Equal(t, ns, f.Namespace)
		if f.Rule == "unmanaged-pod" {
			// The same listing tells what a node drain would lose: the bare pod.
			unmanaged = append(unmanaged, f.Decision+" "+f.Kind+"/"+f.Name)
			continue
		}
		if f.Rule == "instance-metadata-egress" {
			// No NetworkPolicy in the namespace: all seven pods can reach the metadata service, and
			// what is not controlled by a workload is named.
			assert.Equal(t, "warned", f.Decision)
			assert.Equal(t, 7, f.Pods)
			assert.ElementsMatch(t, []string{"deployments.apps/fixed", "deployments.apps/legacy", "pods/bare"}, f.Workloads)
			continue
		}
		assert.Equal(t, "denied", f.Decision)
		assert.Equal(t, "app", f.Container, "the container of %s on %s/%s", f.Rule, f.Kind, f.Name)
		key := f.Kind + "/" + f.Name
		if i := len(got[key]); i < len(want[key]) && strings.HasPrefix(f.Field, want[key][i].field) {
			// The rule may point inside the field it breaks (seccompProfile.type): compare the start.
			got[key] = append(got[key], violation{rule: f.Rule, field: want[key][i].field})
		} else {
			got[key] = append(got[key], violation{rule: f.Rule, field: f.Field})
		}
		switch key {
		case "Deployment/legacy":
			assert.Equal(t, 3, f.Pods, "pods of the legacy Deployment")
		case "Pod/bare":
			assert.Zero(t, f.Pods)
		}
	}
	assert.Equal(t, want, got, "findings other than the legacy Deployment's and the bare pod's are of compliant or controlled objects")
	assert.Equal(t, []string{"warned Pod/bare"}, unmanaged)
	assert.Equal(t, len(want["Deployment/legacy"])+len(want["Pod/bare"])+2, sumRules(out.Namespaces[0].Rules))

	// The text output shows the same: the namespace's row, and a line per finding naming its object.
	text, _, code := runAudit(t, "-n", ns)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `(?m)^`+ns+` \(dry-run label\)\s+3\s+2\s+0\s+`, text, "the namespace's row")
	assert.Regexp(t, `(?m)^denied `+ns+` deployments\.apps/legacy \(3 pods\): privileged: `, text)
	assert.Regexp(t, `(?m)^denied `+ns+` pods/bare: privileged: `, text)
}

// TestAuditInstanceMetadataFinding applies the chart's metadata-blocking policy and expects the finding
// to clear, then an allow-all policy and expects it back.
func TestAuditInstanceMetadataFinding(t *testing.T) {
	ns := auditedNamespace(t)
	metadataFindings := func() int {
		out, _ := auditJSON(t, "-n", ns)
		n := 0
		for _, f := range out.Findings {
			if f.Rule == "instance-metadata-egress" {
				n++
			}
		}
		return n
	}
	assert.Equal(t, 1, metadataFindings(), "no NetworkPolicy")

	block := filepath.Join(t.TempDir(), "block.yaml")
	require.NoError(t, os.WriteFile(block, []byte(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: block-imds}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}
        - namespaceSelector: {}
`), 0o644))
	require.Zero(t, kubectl(t, "apply", "-n", ns, "-f", block).ExitCode)
	assert.Zero(t, metadataFindings(), "the metadata address is blocked")

	allowAll := filepath.Join(t.TempDir(), "allow.yaml")
	require.NoError(t, os.WriteFile(allowAll, []byte(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all}
spec: {podSelector: {matchLabels: {app: legacy}}, policyTypes: [Egress], egress: [{}]}
`), 0o644))
	require.Zero(t, kubectl(t, "apply", "-n", ns, "-f", allowAll).ExitCode)
	assert.Equal(t, 1, metadataFindings(), "an allow-all policy for some pods opens it again")
}

// configHeader starts every configuration the tests write: the current version, as users are told to
// write it (an unversioned file loads with a deprecation warning; policy/ and cmd/kubeguard test that).
const configHeader = "apiVersion: kubeguard.io/v1alpha1\nkind: Configuration\n"

// manifestConfig writes a kubeguard configuration file of the current version with the keys in config,
// for one test.
func manifestConfig(t *testing.T, config string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeguard.yaml")
	require.NoError(t, os.WriteFile(path, []byte(configHeader+config), 0o644))
	return path
}

func sumRules(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func TestAuditModesAndExemptions(t *testing.T) {
	ns := auditedNamespace(t)
	// Every rule in dry-run: the same findings, warned, and nothing would be denied.
	out, code := auditJSON(t, "-n", ns, "--config", manifestConfig(t, "mode: dry-run\n"))
	assert.Equal(t, 0, code, "only dry-run findings: exit 0")
	assert.NotEmpty(t, out.Findings)
	for _, f := range out.Findings {
		assert.Equal(t, "warned", f.Decision)
	}
	assert.Equal(t, 2, out.Summary.Warned)
	assert.Zero(t, out.Summary.Denied)

	// An exempt namespace is listed as exempt and nothing in it is judged.
	out, code = auditJSON(t, "-n", ns, "--config", manifestConfig(t, "exemptions:\n  namespaces: ["+ns+"]\n"))
	assert.Equal(t, 0, code)
	require.Len(t, out.Namespaces, 1)
	assert.True(t, out.Namespaces[0].Exempt)
	assert.Zero(t, out.Namespaces[0].Judged)
	assert.Empty(t, out.Findings)

	// The whole cluster: the default exemptions leave kube-system out, the legacy namespace is in.
	out, code = auditJSON(t)
	assert.Equal(t, 1, code)
	seen := map[string]bool{}
	for _, n := range out.Namespaces {
		seen[n.Name] = true
		if n.Name == "kube-system" {
			assert.True(t, n.Exempt, "kube-system is exempt by default")
		}
	}
	assert.True(t, seen["kube-system"] && seen[ns], "namespaces listed: %v", seen)
}

func TestAuditUsageAndConnectionErrors(t *testing.T) {
	_, stderr, code := runAudit(t, "-o", "yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "unknown output format")

	_, stderr, code = runAudit(t, "--at", "tomorrow")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "RFC 3339")

	_, stderr, code = runAudit(t, "--config", manifestConfig(t, "rules:\n  no-such-rule: {}\n"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "invalid configuration")

	_, stderr, code = runAudit(t, "--context", "no-such-context")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "cannot reach the cluster")
}
