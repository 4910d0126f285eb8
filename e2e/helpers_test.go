package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kubeguard/kubeguard/e2e/framework"
	"github.com/kubeguard/kubeguard/judgement"
)

// commandTimeout bounds one kubectl run; a hung client should fail its test, not the whole package.
const commandTimeout = 2 * time.Minute

// newNamespace creates a namespace for one test. A dry-run namespace gets the label at creation: the
// API server reads namespace labels from a cache, and a label added later reaches it a moment later.
func newNamespace(t *testing.T, dryRun bool) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "e2e-"}}
	if dryRun {
		ns.Labels = map[string]string{framework.ModeLabel: framework.DryRunMode}
	}
	created, err := cluster.ControlPlane.Client.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		// The namespace controller removes what the test left, in the background.
		_ = cluster.ControlPlane.Client.CoreV1().Namespaces().Delete(context.Background(), created.Name, metav1.DeleteOptions{})
	})
	return created.Name
}

// manifestFile writes objects as one YAML manifest named name.yaml in the test's directory.
func manifestFile(t *testing.T, name string, objects ...runtime.Object) string {
	t.Helper()
	var docs []string
	for _, obj := range objects {
		data, err := yaml.Marshal(obj)
		require.NoError(t, err)
		docs = append(docs, string(data))
	}
	path := filepath.Join(t.TempDir(), name+".yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(docs, "---\n")), 0o644))
	return path
}

// kubectl runs the real kubectl as the cluster admin.
func kubectl(t *testing.T, args ...string) framework.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	res, err := cluster.Kubectl.Run(ctx, args...)
	require.NoError(t, err)
	t.Logf("%s", res)
	return res
}

// The helpers below compare what kubectl prints by identity: the object, the webhook, each violation's rule
// and field path, and how many lines there are. kubeguard's words are checked by its golden files
// (judgement/testdata, webhook/testdata/answers), so that changing them changes no end-to-end test.

// namedBy reports whether a line of a denial speaks of v: its rule and its field path.
func (v violation) namedBy(line string) bool {
	return strings.Contains(line, v.rule) && strings.Contains(line, v.field)
}

// deniedLines asserts that kubectl failed because kubeguard's webhook denied resource/name, and returns the
// lines of the denial after its first one: one per violation.
func deniedLines(t *testing.T, res framework.Result, resource, name string) []string {
	t.Helper()
	assert.NotZero(t, res.ExitCode, "kubectl succeeded")
	assert.Contains(t, res.Stderr, "Error from server (Forbidden)")
	// The API server names the object as <resource> "<name>" in every Forbidden status.
	object := resource + " " + strconv.Quote(name)
	lines := strings.Split(res.Stderr, "\n")
	for i, line := range lines {
		if !strings.Contains(line, strconv.Quote(framework.WebhookName)) || !strings.Contains(line, object) {
			continue
		}
		var out []string
		for _, l := range lines[i+1:] {
			if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "Error from server") {
				break
			}
			out = append(out, strings.TrimSpace(l))
		}
		return out
	}
	t.Errorf("kubeguard did not deny %s: %s", object, res.Stderr)
	return nil
}

// assertDeniedRules asserts that kubeguard denied resource/name, each of the rules named by a line of the
// denial, and returns those lines.
func assertDeniedRules(t *testing.T, res framework.Result, resource, name string, rules ...string) []string {
	t.Helper()
	lines := deniedLines(t, res, resource, name)
	for _, rule := range rules {
		assert.True(t, slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, rule) }), "no line of the denial names %s: %q", rule, lines)
	}
	return lines
}

// assertViolationLines asserts that lines name exactly the violations want, one each, in order.
func assertViolationLines(t *testing.T, lines []string, want []violation) {
	t.Helper()
	if !assert.Len(t, lines, len(want), "one line per violation: %q", lines) {
		return
	}
	for i, v := range want {
		assert.True(t, v.namedBy(lines[i]), "line %d names %s at %s: %s", i, v.rule, v.field, lines[i])
	}
}

// assertDenied asserts that kubectl failed because kubeguard denied resource/name for exactly the
// violations want, one line each, in order; the compliant container is not reported.
func assertDenied(t *testing.T, res framework.Result, resource, name string, want []violation) {
	t.Helper()
	assertViolationLines(t, deniedLines(t, res, resource, name), want)
	assert.NotContains(t, res.Stderr, strconv.Quote("sidecar"), "the compliant container is reported")
	assert.NotContains(t, res.Stderr, "Warning:", "a denial carries warnings")
}

// warnings are the warnings kubectl printed, each without kubectl's "Warning: ".
func warnings(res framework.Result) []string {
	var out []string
	for _, line := range strings.Split(res.Stderr, "\n") {
		if w, ok := strings.CutPrefix(line, "Warning: "); ok {
			out = append(out, w)
		}
	}
	return out
}

// dryRunWarnings are the warnings kubeguard marks as dry-run.
func dryRunWarnings(res framework.Result) []string {
	var out []string
	for _, w := range warnings(res) {
		if strings.HasPrefix(w, judgement.DryRunPrefix) {
			out = append(out, w)
		}
	}
	return out
}

// warnedBy reports whether a short warning speaks of v in container "app": its rule and its container (a
// warning names the setting, not the path).
func (v violation) warnedBy(warning string) bool {
	return strings.Contains(warning, v.rule) && strings.Contains(warning, strconv.Quote("app"))
}

// assertDryRunWarnings asserts that kubectl succeeded and printed one short dry-run warning per violation in
// want, in order, naming the rule and the container, and no other dry-run warning.
func assertDryRunWarnings(t *testing.T, res framework.Result, want []violation) {
	t.Helper()
	assert.Zero(t, res.ExitCode, "kubectl failed")
	got := dryRunWarnings(res)
	if assert.Len(t, got, len(want), "dry-run warnings: %q", got) {
		for i, v := range want {
			assert.True(t, v.warnedBy(got[i]), "warning %d is of %s: %s", i, v.rule, got[i])
		}
	}
	for _, w := range warnings(res) {
		assert.LessOrEqual(t, len(w), 120, "a warning fits on one line: %s", w)
	}
}

// assertAdmitted asserts that kubectl created or configured the object without any warning.
func assertAdmitted(t *testing.T, res framework.Result) {
	t.Helper()
	assert.Zero(t, res.ExitCode, "kubectl failed")
	assert.Regexp(t, `(created|configured)`, res.Stdout)
	assert.NotContains(t, res.Stderr, "Warning:")
}

// assertStored asserts whether resource/name exists in ns.
func assertStored(t *testing.T, ns, resource, name string, want bool) {
	t.Helper()
	args := []string{"get", resource, name, "-o", "name"}
	if ns != "" {
		args = append(args, "-n", ns)
	}
	res := kubectl(t, args...)
	if want {
		assert.Zero(t, res.ExitCode, "%s %s is not stored", resource, name)
	} else {
		assert.NotZero(t, res.ExitCode, "%s %s is stored", resource, name)
		assert.Contains(t, res.Stderr, "NotFound")
	}
}
