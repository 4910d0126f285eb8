package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const examplesDir = "../../examples"

func TestCheckExitCodesAndOutput(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		golden   string
		// wantStdout and wantStderr are read from the specification, not from the output, so the golden
		// file is never the only thing that can catch a regression. They name objects, rules and fields;
		// the words around them are the golden file's alone.
		wantStdout []string
		wantStderr []string
	}{
		{
			name:     "examples: the non-compliant ones are denied",
			args:     []string{"check", "-f", examplesDir},
			wantCode: exitViolations,
			golden:   "check-examples.txt",
			wantStdout: []string{
				`pods "hello-unsafe" is forbidden`,
				`privileged: container "web": spec.containers[0].securityContext.privileged: `,
				`deployments.apps "web-unsafe" is forbidden`,
				"user-subject: subjects[0]: ",
				`pods "hello" is allowed`,
			},
		},
		{
			name:       "compliant files only",
			args:       []string{"check", filepath.Join(examplesDir, "pod-compliant.yaml"), filepath.Join(examplesDir, "deployment-compliant.yaml")},
			wantCode:   exitOK,
			golden:     "check-compliant.txt",
			wantStdout: []string{"2 objects checked as creates: 0 denied"},
		},
		{
			name:     "multi-document file with a List, an exempt namespace and a kind not judged",
			args:     []string{"check", filepath.Join("testdata", "check", "multi.yaml")},
			wantCode: exitViolations,
			golden:   "check-multi.txt",
			wantStdout: []string{
				`multi.yaml#1: pods "ok" is allowed`,
				`multi.yaml#2 items[1]: rolebindings.rbac.authorization.k8s.io "devs" is forbidden`,
				"user-subject: subjects[0]: ",
				`daemonsets.apps "agent" is exempt (namespace kube-system)`,
				"1 of kinds kubeguard does not judge",
			},
		},
		{
			name:       "dry-run configuration: warnings do not fail, enforced rules still do",
			args:       []string{"check", "--config", filepath.Join("testdata", "check", "dry-run.yaml"), filepath.Join(examplesDir, "cronjob-noncompliant.yaml")},
			wantCode:   exitOK,
			golden:     "check-dry-run.txt",
			wantStdout: []string{`cronjobs.batch "nightly-report-unsafe" is allowed with`, "[dry-run] run-as-root:"},
		},
		{
			name:       "dry-run configuration with an enforced violation",
			args:       []string{"check", "--config", filepath.Join("testdata", "check", "dry-run.yaml"), filepath.Join(examplesDir, "pod-noncompliant.yaml")},
			wantCode:   exitViolations,
			golden:     "check-dry-run-enforced.txt",
			wantStdout: []string{`pods "hello-unsafe" is forbidden`, "\n  privileged: ", "\n  [dry-run] privilege-escalation: "},
		},
		{
			name:       "stdin with generateName",
			args:       []string{"check", "-"},
			stdin:      mustRead(t, filepath.Join("testdata", "check", "generate-name.json")),
			wantCode:   exitViolations,
			golden:     "check-stdin.txt",
			wantStdout: []string{`-: jobs.batch "migrate-*" is forbidden`},
		},
		{
			name:       "parse errors name the file and document, and the rest is still checked",
			args:       []string{"check", filepath.Join("testdata", "check", "broken.yaml")},
			wantCode:   exitUsage,
			golden:     "check-broken.txt",
			wantStdout: []string{`broken.yaml#1: pods "fine" is forbidden`},
			wantStderr: []string{
				"broken.yaml (document 2):",
				"broken.yaml (document 3): not a Kubernetes object: apiVersion and kind must be set",
			},
		},
		{
			name:     "enforcement dates before they come: dry-run, each line saying from when",
			args:     []string{"check", "--config", filepath.Join("testdata", "check", "dates.yaml"), "--at", "2026-03-01T00:00:00Z", filepath.Join(examplesDir, "pod-noncompliant.yaml")},
			wantCode: exitOK,
			golden:   "check-dates-before.txt",
			wantStdout: []string{
				"[dry-run until 2027-01-01T00:00:00Z] privileged: ",
				"[dry-run until 2026-06-01T00:00:00Z] seccomp-profile: ",
				"1 object checked as creates as of 2026-03-01T00:00:00Z: 0 denied, 1 allowed with warnings",
			},
		},
		{
			name:       "enforcement dates: one has come",
			args:       []string{"check", "--config", filepath.Join("testdata", "check", "dates.yaml"), "--at", "2026-07-01T00:00:00+02:00", filepath.Join(examplesDir, "pod-noncompliant.yaml")},
			wantCode:   exitViolations,
			golden:     "check-dates-after.txt",
			wantStdout: []string{`pods "hello-unsafe" is forbidden`, "\n  seccomp-profile: ", "[dry-run until 2027-01-01T00:00:00Z] privileged: "},
		},
		{name: "bad --at", args: []string{"check", "--at", "2026-07-01", examplesDir}, wantCode: exitUsage, wantStderr: []string{`--at "2026-07-01" is not an RFC 3339 timestamp`}},
		{
			name:       "bad date in the configuration",
			args:       []string{"check", "--config", filepath.Join("testdata", "check", "bad-date.yaml"), examplesDir},
			wantCode:   exitUsage,
			wantStderr: []string{"invalid configuration", "line 4:", "rules.privileged.enforceAfter"},
		},
		{
			name:       "the zero time in the configuration",
			args:       []string{"check", "--config", filepath.Join("testdata", "check", "zero-until.yaml"), examplesDir},
			wantCode:   exitUsage,
			wantStderr: []string{"invalid configuration", "exemptions.users.until", "line 7:", "is before 2000-01-01"},
		},
		{name: "no paths", args: []string{"check"}, wantCode: exitUsage, wantStderr: []string{"no files given"}},
		{name: "missing file", args: []string{"check", "does-not-exist.yaml"}, wantCode: exitUsage, wantStderr: []string{"does-not-exist.yaml"}},
		{name: "unknown output", args: []string{"check", "-o", "xml", examplesDir}, wantCode: exitUsage, wantStderr: []string{`unknown output format "xml"`}},
		{name: "broken config", args: []string{"check", "--config", filepath.Join(examplesDir, "pod-compliant.yaml"), examplesDir}, wantCode: exitUsage, wantStderr: []string{"invalid configuration", `unknown apiVersion "v1"`, "kubeguard.io/v1alpha1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCommand(t, tt.stdin, tt.args...)
			assert.Equal(t, tt.wantCode, r.code, "stderr: %s", r.stderr)
			for _, want := range tt.wantStdout {
				assert.Contains(t, r.stdout, want)
			}
			for _, want := range tt.wantStderr {
				assert.Contains(t, r.stderr, want)
			}
			if tt.golden != "" {
				assertGolden(t, tt.golden, r.stdout)
			}
		})
	}
}

func TestCheckJSON(t *testing.T) {
	r := runCommand(t, "", "check", "-o", "json", filepath.Join("testdata", "check", "multi.yaml"))
	require.Equal(t, exitViolations, r.code, r.stderr)

	// The report's shape, as tools read it.
	var report struct {
		Objects []struct {
			Kind       string `json:"kind"`
			Name       string `json:"name"`
			Decision   string `json:"decision"`
			Item       *int   `json:"item"`
			Violations []struct {
				Rule  string `json:"rule"`
				Field string `json:"field"`
				Mode  string `json:"mode"`
			} `json:"violations"`
		} `json:"objects"`
		Errors  []string       `json:"errors"`
		Summary map[string]int `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &report))
	decisions := map[string]string{}
	for _, o := range report.Objects {
		decisions[o.Kind+"/"+o.Name] = o.Decision
	}
	assert.Equal(t, map[string]string{
		"Pod/ok":           "allowed",
		"ConfigMap/":       "skipped",
		"RoleBinding/devs": "denied",
		"DaemonSet/agent":  "exempt",
	}, decisions)
	assert.Equal(t, 4, report.Summary["checked"])
	assert.Empty(t, report.Errors)

	for _, o := range report.Objects {
		if o.Kind != "RoleBinding" {
			continue
		}
		require.Len(t, o.Violations, 1, "system:kube-scheduler is allowed by default")
		v := o.Violations[0]
		assert.Equal(t, "user-subject", v.Rule)
		assert.Equal(t, "subjects[0]", v.Field)
		assert.Equal(t, "enforce", v.Mode)
		require.NotNil(t, o.Item)
		assert.Equal(t, 1, *o.Item)
	}
	assertGolden(t, "check-multi.json", r.stdout)
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}
