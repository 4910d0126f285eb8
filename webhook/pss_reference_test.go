package webhook_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
	"github.com/kubeguard/kubeguard/webhook"
)

// referenceModule publishes the Pod Security Admission checks with a pass and a fail pod per check and
// level, generated from its own tests; kubeguard's profiles must give each of them the same verdict.
const referenceModule = "k8s.io/pod-security-admission"

// Every fixture pod of the Pod Security Admission release that matches our Kubernetes libraries, posted as
// a Pod CREATE through the webhook under the profile of its level, gets the reference's verdict: the pass
// pods are allowed, the fail pods denied.
func TestProfilesMatchPodSecurityAdmissionFixtures(t *testing.T) {
	testdata := filepath.Join(referenceDir(t), "test", "testdata")
	for _, profile := range []rules.Profile{rules.Baseline, rules.Restricted} {
		t.Run(string(profile), func(t *testing.T) {
			dir := latestVersionDir(t, filepath.Join(testdata, string(profile)))
			mux := webhook.NewServer(webhook.ServerOptions{Policy: policy.ForProfile(profile)}).WebhookMux()
			for _, verdict := range []string{"pass", "fail"} {
				files, err := filepath.Glob(filepath.Join(dir, verdict, "*.yaml"))
				require.NoError(t, err)
				require.NotEmpty(t, files, "the reference has %s fixtures for %s in %s", verdict, profile, dir)
				for _, file := range files {
					t.Run(verdict+"/"+filepath.Base(file), func(t *testing.T) {
						pod := readFixturePod(t, file)
						_, answer := post(t, mux, webhook.ValidatePath, "application/json",
							reviewBody(t, review(t, admissionv1.Create, pod, nil)))
						require.NotNil(t, answer.Response)
						if verdict == "pass" {
							assert.True(t, answer.Response.Allowed, "denied: %v", answer.Response.Result)
						} else {
							assert.False(t, answer.Response.Allowed, "allowed a pod the %s level refuses", profile)
						}
					})
				}
			}
		})
	}
}

// referenceDir is the module cache directory of the Pod Security Admission release whose version is that
// of our k8s.io/api: its staging modules are released together, at the same version.
func referenceDir(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command finds the reference fixtures in the module cache")
	out, err := exec.Command(goTool, "list", "-m", "-f", "{{.Version}}", "k8s.io/api").Output()
	require.NoError(t, err, "go list -m k8s.io/api: %s", exitOutput(err))
	version := strings.TrimSpace(string(out))

	out, err = exec.Command(goTool, "mod", "download", "-json", referenceModule+"@"+version).Output()
	require.NoError(t, err, "go mod download %s@%s: %s %s", referenceModule, version, out, exitOutput(err))
	var module struct{ Dir, Error string }
	require.NoError(t, json.Unmarshal(out, &module))
	require.Empty(t, module.Error)
	require.DirExists(t, module.Dir)
	return module.Dir
}

func exitOutput(err error) string {
	if exit, ok := err.(*exec.ExitError); ok {
		return string(exit.Stderr)
	}
	return ""
}

// latestVersionDir picks the newest v1.N directory of a level: the reference writes one per Kubernetes
// minor version in which its checks changed, and the newest holds the checks as they stand.
func latestVersionDir(t *testing.T, levelDir string) string {
	t.Helper()
	entries, err := os.ReadDir(levelDir)
	require.NoError(t, err)
	versionName := regexp.MustCompile(`^v1\.(\d+)$`)
	var minors []int
	for _, e := range entries {
		if m := versionName.FindStringSubmatch(e.Name()); m != nil && e.IsDir() {
			minor, err := strconv.Atoi(m[1])
			require.NoError(t, err)
			minors = append(minors, minor)
		}
	}
	require.NotEmpty(t, minors, "%s holds versioned fixtures", levelDir)
	sort.Ints(minors)
	return filepath.Join(levelDir, "v1."+strconv.Itoa(minors[len(minors)-1]))
}

// readFixturePod reads a fixture as the API server would hand the pod to the webhook, in our namespace.
func readFixturePod(t *testing.T, file string) *corev1.Pod {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var pod corev1.Pod
	require.NoError(t, yaml.UnmarshalStrict(data, &pod), "%s is a Pod", file)
	require.Equal(t, "Pod", pod.Kind, "%s is a Pod", file)
	pod.Namespace = namespace
	return &pod
}
