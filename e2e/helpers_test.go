package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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

// violationLine matches the line kubeguard prints for one violation in container "app", after prefix.
func violationLine(prefix string, v violation) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + prefix + regexp.QuoteMeta(fmt.Sprintf(`%s: container "app": %s`, v.rule, v.field)) +
		`\S*: \S.*\. Fix: \S.*$`)
}

// assertInOrder asserts that each pattern matches text, each after the previous one.
func assertInOrder(t *testing.T, text string, patterns []*regexp.Regexp) {
	t.Helper()
	last := -1
	for _, p := range patterns {
		loc := p.FindStringIndex(text)
		if !assert.NotNil(t, loc, "no line matches %s", p) {
			continue
		}
		assert.Greater(t, loc[0], last, "%s is out of the rules' order", p)
		last = loc[0]
	}
}

// deniedHeader is how kubectl shows kubeguard denying resource/name for breaking the given number of
// distinct rules.
func deniedHeader(resource, name string, rules int) string {
	count := fmt.Sprintf("%d kubeguard rules", rules)
	if rules == 1 {
		count = "1 kubeguard rule"
	}
	return fmt.Sprintf(`admission webhook %q denied the request: %s %q is forbidden: violates %s:`,
		framework.WebhookName, resource, name, count)
}

// distinctRules counts the rules among violations.
func distinctRules(violations []violation) int {
	seen := map[string]bool{}
	for _, v := range violations {
		seen[v.rule] = true
	}
	return len(seen)
}

// assertDenied asserts that kubectl failed because kubeguard denied resource/name for exactly the
// violations want, listed in order, each naming its container and saying how to fix it.
func assertDenied(t *testing.T, res framework.Result, resource, name string, want []violation) {
	t.Helper()
	assert.NotZero(t, res.ExitCode, "kubectl succeeded")
	assert.Contains(t, res.Stderr, "Error from server (Forbidden)")
	assert.Contains(t, res.Stderr, deniedHeader(resource, name, distinctRules(want)))
	patterns := make([]*regexp.Regexp, len(want))
	for i, v := range want {
		patterns[i] = violationLine(`\s*`, v)
	}
	assertInOrder(t, res.Stderr, patterns)
	assert.NotContains(t, res.Stderr, `container "sidecar"`, "the compliant container is reported")
	assert.NotContains(t, res.Stderr, "Warning:", "a denial carries warnings")
}

// warningLine matches the short warning kubectl prints for one dry-run violation in container "app": the
// rule, the container, the setting (the field path's last element) and what is wrong.
func warningLine(v violation) *regexp.Regexp {
	setting := v.field[strings.LastIndex(v.field, ".")+1:]
	return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(fmt.Sprintf(`Warning: [dry-run] %s: container "app": %s `, v.rule, setting)) + `\S.*$`)
}

// assertDryRunWarnings asserts that kubectl succeeded and printed one short `Warning: [dry-run] …` line
// per violation in want, in order, naming the rule, the container and the setting, and no other dry-run
// warning.
func assertDryRunWarnings(t *testing.T, res framework.Result, want []violation) {
	t.Helper()
	assert.Zero(t, res.ExitCode, "kubectl failed")
	patterns := make([]*regexp.Regexp, len(want))
	for i, v := range want {
		patterns[i] = warningLine(v)
	}
	assertInOrder(t, res.Stderr, patterns)
	assert.Equal(t, len(want), strings.Count(res.Stderr, "Warning: [dry-run] "), "dry-run warnings")
	for _, line := range strings.Split(res.Stderr, "\n") {
		if warning, ok := strings.CutPrefix(line, "Warning: "); ok {
			assert.LessOrEqual(t, len(warning), 120, "a warning fits on one line: %s", warning)
		}
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
