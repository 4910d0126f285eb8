package webhook_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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

// referenceModule publishes the Pod Security Admission checks with pass and fail pods per check, level and
// Kubernetes version, generated from its own tests; kubeguard's profiles must give each of them the same
// verdict at the same version.
const referenceModule = "k8s.io/pod-security-admission"

// referenceTools is the module that pins the reference release; hack/tools/build.sh (make tools, and so make
// test) downloads it into the module cache.
const referenceTools = "../hack/tools/podsecurity"

// Every fixture pod of every version directory of the pinned Pod Security Admission release, posted as a
// Pod CREATE through the webhook under the profile of its level and profileVersion: v1.N of its directory
// (and the newest directory under latest too), gets the reference's verdict: the pass pods are allowed,
// the fail pods denied.
func TestProfilesMatchPodSecurityAdmissionFixtures(t *testing.T) {
	testdata := filepath.Join(referenceDir(t), "test", "testdata")
	var counts []string
	for _, profile := range []rules.Profile{rules.Baseline, rules.Restricted} {
		levelDir := filepath.Join(testdata, string(profile))
		minors := versionMinors(t, levelDir)
		require.Equal(t, rules.LatestMinor, minors[len(minors)-1],
			"rules.LatestMinor is the newest version directory of the reference's %s fixtures", profile)
		for _, minor := range minors {
			dir := filepath.Join(levelDir, "v1."+strconv.Itoa(minor))
			versions := []string{"v1." + strconv.Itoa(minor)}
			if minor == rules.LatestMinor {
				versions = append(versions, "latest")
			}
			for _, version := range versions {
				t.Run(string(profile)+"/"+version, func(t *testing.T) {
					pass, fail := runFixtures(t, profile, version, dir)
					counts = append(counts, fmt.Sprintf("%s %s: %d pass, %d fail", profile, version, pass, fail))
				})
			}
		}
	}
	t.Logf("fixtures judged as the reference does:\n%s", strings.Join(counts, "\n"))
}

// runFixtures posts every fixture of one version directory under profile and version, configured as a
// cluster admin would, and returns how many pass and fail fixtures it ran.
func runFixtures(t *testing.T, profile rules.Profile, version, dir string) (pass, fail int) {
	p, err := policy.Parse([]byte(fmt.Sprintf("profile: %s\nprofileVersion: %s\n", profile, version)))
	require.NoError(t, err)
	mux := webhook.NewServer(webhook.ServerOptions{Policy: p}).WebhookMux()
	for _, verdict := range []string{"pass", "fail"} {
		files, err := filepath.Glob(filepath.Join(dir, verdict, "*.yaml"))
		require.NoError(t, err)
		require.NotEmpty(t, files, "the reference has %s fixtures in %s", verdict, dir)
		for _, file := range files {
			t.Run(verdict+"/"+filepath.Base(file), func(t *testing.T) {
				pod := readFixturePod(t, file)
				_, answer := post(t, mux, webhook.ValidatePath, "application/json",
					reviewBody(t, review(t, admissionv1.Create, pod, nil)))
				require.NotNil(t, answer.Response)
				if verdict == "pass" {
					assert.True(t, answer.Response.Allowed, "denied: %v", answer.Response.Result)
				} else {
					assert.False(t, answer.Response.Allowed, "allowed a pod the %s level refuses at %s", profile, version)
				}
			})
		}
		if verdict == "pass" {
			pass = len(files)
		} else {
			fail = len(files)
		}
	}
	return pass, fail
}

// referenceDir is the module cache directory of the Pod Security Admission release that referenceTools
// pins. The go command is asked offline (GOPROXY=off): the test reads only what make tools downloaded, and
// fails, saying how to fix it, when that is missing.
func referenceDir(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command finds the reference fixtures in the module cache")
	cmd := exec.Command(goTool, "list", "-m", "-f", "{{.Version}} {{.Dir}}", referenceModule)
	cmd.Dir = referenceTools
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s is not in the module cache (run make tools, which downloads it): %s", referenceModule, stderr.String())
	version, dir, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	require.NotEmpty(t, dir, "%s@%s is not in the module cache: run make tools, which downloads it", referenceModule, version)
	require.DirExists(t, dir)
	return dir
}

// versionMinors lists, in order, the minor versions of a level's v1.N directories: the reference writes one
// per Kubernetes minor version, each holding the checks as they stood then.
func versionMinors(t *testing.T, levelDir string) []int {
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
	slices.Sort(minors)
	return minors
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
