package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubeguard/kubeguard/e2e/framework"
	"github.com/kubeguard/kubeguard/judgement"
)

// legacyDeployment is a workload written before kubeguard: a plain nginx Deployment with no
// securityContext at all.
func legacyDeployment(name string) *appsv1.Deployment {
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: appLabels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: appLabels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
			},
		},
	}
}

// legacyRules are the rules the legacy Deployment breaks, in the rules' order.
var legacyRules = []string{"privilege-escalation", "run-as-root", "seccomp-profile", "apparmor-profile"}

// createLegacy creates the legacy Deployment in a dry-run namespace, then has the namespace enforce, as a
// cluster that adopts kubeguard does.
func createLegacy(t *testing.T, name string) string {
	t.Helper()
	ns := newNamespace(t, true)
	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, name, legacyDeployment(name)))
	require.Zero(t, res.ExitCode, "creating the legacy workload in dry-run")
	assertWarnings(t, res, judgement.DryRunPrefix, legacyRules)
	enforce(t, ns)
	return ns
}

// enforce removes the dry-run label and waits until the API server sends the namespace to the enforcing
// webhook, which a server-side dry-run of a new non-compliant pod shows.
func enforce(t *testing.T, ns string) {
	t.Helper()
	res := kubectl(t, "label", "namespace", ns, framework.ModeLabel+"-")
	require.Zero(t, res.ExitCode, "removing the dry-run label")
	probe := manifestFile(t, "probe", workloads[0].build("probe", noncompliantPodSpec()))
	require.Eventually(t, func() bool {
		return kubectl(t, "apply", "--dry-run=server", "-n", ns, "-f", probe).ExitCode != 0
	}, time.Minute, 200*time.Millisecond, "the namespace never started enforcing")
}

// assertWarnings asserts that kubectl succeeded with exactly one warning per rule, in order, each marked
// with mark (its kind or its date), and no other warning.
func assertWarnings(t *testing.T, res framework.Result, mark string, rules []string) {
	t.Helper()
	assert.Zero(t, res.ExitCode, "kubectl failed")
	var marked []string
	for _, w := range warnings(res) {
		if strings.Contains(w, mark) {
			marked = append(marked, w)
		}
	}
	if assert.Len(t, marked, len(rules), "warnings marked %q: %q", mark, marked) {
		for i, rule := range rules {
			assert.Contains(t, marked[i], rule)
		}
	}
	assert.Len(t, warnings(res), len(rules), "kubeguard warnings")
}

// patchTemplate patches the Deployment's pod template with a strategic merge patch.
func patchTemplate(t *testing.T, ns, name, spec string) framework.Result {
	t.Helper()
	return kubectl(t, "patch", "-n", ns, "deployment", name, "-p", `{"spec":{"template":{"spec":`+spec+`}}}`)
}

// A legacy workload in a namespace that now enforces can be fixed one rule per change: each change is
// allowed and warns about what is left; a change that adds a violation is denied for that one alone;
// everyday operations go through.
func TestLegacyWorkloadIsFixedOneRuleAtATime(t *testing.T) {
	const name = "legacy-web"
	ns := createLegacy(t, name)

	for _, op := range [][]string{
		{"rollout", "restart", "deployment/" + name},
		{"set", "image", "deployment/" + name, "web=nginx:1.28"},
		{"scale", "deployment/" + name, "--replicas=3"},
	} {
		res := kubectl(t, append(op, "-n", ns)...)
		assert.Zero(t, res.ExitCode, "kubectl %s", strings.Join(op, " "))
		assert.NotContains(t, res.Stderr, "Warning:", "nothing a rule reads changed")
	}

	// Changes that alter the securityContext structs without touching a rule's verdict.
	res := patchTemplate(t, ns, name, `{"securityContext":{"fsGroup":2000},"containers":[{"name":"web","securityContext":{"capabilities":{"drop":["ALL"]}}}]}`)
	assertWarnings(t, res, judgement.ExistingPrefix, legacyRules)

	res = patchTemplate(t, ns, name, `{"containers":[{"name":"web","securityContext":{"privileged":true}}]}`)
	assert.NotZero(t, res.ExitCode, "adding privileged: true was admitted")
	// One line: the denial names only what the change adds.
	assertViolationLines(t, deniedLines(t, res, "deployments.apps", name),
		[]violation{{rule: "privileged", field: "spec.template.spec.containers[0].securityContext.privileged"}})

	steps := []struct {
		fix  string
		left []string
	}{
		{fix: `{"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}}}`, left: []string{"privilege-escalation", "run-as-root", "apparmor-profile"}},
		{fix: `{"containers":[{"name":"web","securityContext":{"allowPrivilegeEscalation":false}}]}`, left: []string{"run-as-root", "apparmor-profile"}},
		{fix: `{"securityContext":{"runAsNonRoot":true}}`, left: []string{"apparmor-profile"}},
	}
	for _, step := range steps {
		assertWarnings(t, patchTemplate(t, ns, name, step.fix), judgement.ExistingPrefix, step.left)
	}
	res = patchTemplate(t, ns, name, `{"securityContext":{"appArmorProfile":{"type":"RuntimeDefault"}}}`)
	assert.Zero(t, res.ExitCode)
	assert.NotContains(t, res.Stderr, "Warning:", "the workload is compliant")
}

// kubectl debug adds a compliant debug container to a pod whose pod-level seccomp profile is Unconfined,
// overridden by every container, even though an earlier debug container inherited it.
func TestDebugContainerAfterAnUnconfinedOne(t *testing.T) {
	ns := newNamespace(t, true)
	spec := compliantPodSpec()
	spec.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	for i := range spec.Containers {
		spec.Containers[i].SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}
	const name = "debugged"
	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, name, workloads[0].build(name, spec)))
	assertAdmitted(t, res)

	res = kubectl(t, "debug", "-n", ns, name, "--image=busybox", "--container=debugger-1", "--profile=general", "--attach=false")
	assert.Zero(t, res.ExitCode, "the first debug container, in dry-run")
	// The general profile leaves allowPrivilegeEscalation unset, and the container inherits Unconfined.
	if warned := dryRunWarnings(res); assert.Len(t, warned, 2, "dry-run warnings") {
		for i, rule := range []string{"privilege-escalation", "seccomp-profile"} {
			assert.Contains(t, warned[i], rule)
			assert.Contains(t, warned[i], strconv.Quote("debugger-1"), "the warning names the debug container")
		}
	}

	enforce(t, ns)
	res = kubectl(t, "debug", "-n", ns, name, "--image=busybox", "--container=debugger-2", "--profile=restricted", "--attach=false")
	assert.Zero(t, res.ExitCode, "a compliant debug container is refused")
	assert.NotContains(t, res.Stderr, "Warning:")

	res = kubectl(t, "debug", "-n", ns, name, "--image=busybox", "--container=debugger-3", "--profile=general", "--attach=false")
	assert.NotZero(t, res.ExitCode, "a debug container that inherits Unconfined is admitted")
	lines := deniedLines(t, res, "pods", name)
	assertViolationLines(t, lines, []violation{
		{rule: "privilege-escalation", field: "spec.ephemeralContainers[2].securityContext.allowPrivilegeEscalation"},
		{rule: "seccomp-profile", field: "spec.securityContext.seccompProfile"},
	})
	if len(lines) == 2 {
		for _, c := range []string{"debugger-1", "debugger-3"} {
			assert.Contains(t, lines[1], strconv.Quote(c), "the line names every container that inherits the profile")
		}
	}
}

// rolloutConfig stages enforcement by dates: privileged and privilege-escalation (which a privileged
// container also breaks) are enforced from a date far ahead, seccomp-profile from one long past; one namespace has a dry-run window still open and one whose window has closed;
// one namespace had an exemption that has expired; updates are judged in full.
const rolloutConfig = `apiVersion: kubeguard.io/v1alpha1
kind: Configuration
updates: full
rules:
  privileged: {enforceAfter: "2099-01-01T00:00:00Z"}
  privilege-escalation: {enforceAfter: "2099-01-01T00:00:00Z"}
  seccomp-profile: {enforceAfter: "2000-01-01T00:00:00Z"}
dryRunNamespaces:
  - {name: %[1]s, until: "2099-01-01T00:00:00Z", reason: migration}
  - {name: %[2]s, until: "2000-01-01T00:00:00Z", reason: migration}
exemptions:
  namespaces:
    - kube-system
    - kube-public
    - kube-node-lease
    - {name: %[3]s, until: "2000-01-01T00:00:00Z", reason: vendor chart}
`

// The staging keys of the configuration, through kubectl: rule dates and namespace windows in the past
// and in the future, an expired exemption, and updates judged in full.
func TestStagedRolloutConfiguration(t *testing.T) {
	ctx := context.Background()
	plain, open, closed, expired := newNamespace(t, false), newNamespace(t, false), newNamespace(t, false), newNamespace(t, false)
	config := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(config, fmt.Appendf(nil, rolloutConfig, open, closed, expired), 0o644))
	restartKubeguard(t, config)
	t.Cleanup(func() { restartKubeguard(t, "") })

	pods := workloads[0]
	privileged := compliantPodSpec()
	// The API refuses privileged with allowPrivilegeEscalation false.
	privileged.Containers[0].SecurityContext.Privileged, privileged.Containers[0].SecurityContext.AllowPrivilegeEscalation = ptr.To(true), nil
	unconfined := compliantPodSpec()
	unconfined.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}

	t.Run("a rule before its date warns and says from when it will deny", func(t *testing.T) {
		res := kubectl(t, "apply", "-n", plain, "-f", manifestFile(t, "privileged", pods.build("privileged", privileged)))
		assertWarnings(t, res, "until 2099-01-01T00:00:00Z", []string{"privileged", "privilege-escalation"})
		assertStored(t, plain, pods.resource, "privileged", true)
	})
	t.Run("a rule past its date denies", func(t *testing.T) {
		res := kubectl(t, "apply", "-n", plain, "-f", manifestFile(t, "unconfined", pods.build("unconfined", unconfined)))
		assertDeniedRules(t, res, "pods", "unconfined", "seccomp-profile")
	})
	t.Run("an open dry-run window warns", func(t *testing.T) {
		res := kubectl(t, "apply", "-n", open, "-f", manifestFile(t, "unconfined", pods.build("unconfined", unconfined)))
		assertWarnings(t, res, judgement.DryRunPrefix, []string{"seccomp-profile"})
	})
	t.Run("a closed dry-run window denies", func(t *testing.T) {
		res := kubectl(t, "apply", "-n", closed, "-f", manifestFile(t, "unconfined", pods.build("unconfined", unconfined)))
		assertDeniedRules(t, res, "pods", "unconfined", "seccomp-profile")
	})
	t.Run("an expired exemption no longer applies", func(t *testing.T) {
		res := kubectl(t, "apply", "-n", expired, "-f", manifestFile(t, "unconfined", pods.build("unconfined", unconfined)))
		assertDeniedRules(t, res, "pods", "unconfined", "seccomp-profile")
		logs, err := os.ReadFile(filepath.Join(cluster.Dir, "kubeguard.log"))
		require.NoError(t, err)
		assert.Regexp(t, `"msg":"configuration entry has expired and no longer applies".*"name":"`+expired+`"`, string(logs))
	})
	t.Run("updates: full judges a legacy workload's fix in full", func(t *testing.T) {
		const name = "legacy-web"
		ns := createLegacy(t, name)
		res := patchTemplate(t, ns, name, `{"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}}}`)
		assert.NotZero(t, res.ExitCode, "the partial fix was admitted")
		lines := assertDeniedRules(t, res, "deployments.apps", name, "run-as-root", "apparmor-profile", "privilege-escalation")
		for _, l := range lines {
			if strings.Contains(l, "privilege-escalation") {
				assert.Contains(t, l, "2099-01-01T00:00:00Z", "the dry-run line says from when its rule denies")
			}
		}
	})
	t.Run("the dates are metrics", func(t *testing.T) {
		metrics := getMetrics(ctx, t, "kubeguard_rule_enforce_after_timestamp_seconds", "kubeguard_exemption_expiry_timestamp_seconds")
		assert.Contains(t, metrics, `kubeguard_rule_enforce_after_timestamp_seconds{rule="privileged"} 4.0709088e+09`)
		assert.Contains(t, metrics, `kubeguard_rule_enforce_after_timestamp_seconds{rule="seccomp-profile"} 9.466848e+08`)
		assert.Contains(t, metrics, `kubeguard_exemption_expiry_timestamp_seconds{list="dryRunNamespaces",name="`+open+`"} 4.0709088e+09`)
		assert.Contains(t, metrics, `kubeguard_exemption_expiry_timestamp_seconds{list="exemptions.namespaces",name="`+expired+`"} 9.466848e+08`)
	})
}

// restartKubeguard restarts the suite's kubeguard with another configuration file ("" for the defaults),
// on the same ports, and waits until the API server reaches it again.
func restartKubeguard(t *testing.T, config string) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, cluster.Kubeguard.Stop())
	cluster.Kubeguard.SetConfig(config)
	require.NoError(t, cluster.Kubeguard.Start(ctx))
	require.NoError(t, cluster.WaitForWebhook(ctx))
}

// getMetrics reads the samples of the named metric families from kubeguard's /metrics.
func getMetrics(ctx context.Context, t *testing.T, families ...string) []string {
	t.Helper()
	var samples []string
	for _, line := range strings.Split(metricsText(ctx, t), "\n") {
		for _, f := range families {
			if strings.HasPrefix(line, f+"{") {
				samples = append(samples, line)
			}
		}
	}
	return samples
}
