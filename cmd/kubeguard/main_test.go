package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/internal/testgolden"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/rules"
)

// result is what one run of the command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

func runCommand(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// assertGolden compares got with testdata/golden/<name>, or rewrites that file under -update.
func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	testgolden.Assert(t, path, got, "make generate (or go test ./cmd/kubeguard -update)")
}

func TestUsageAndVersion(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "no command", args: nil, wantCode: exitUsage, wantErr: "Usage:"},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: exitUsage, wantErr: `unknown command "frobnicate"`},
		{name: "help", args: []string{"help"}, wantCode: exitOK, wantOut: "kubeguard check"},
		{name: "version", args: []string{"version"}, wantCode: exitOK, wantOut: "kubeguard " + version},
		{name: "serve with a stray argument", args: []string{"serve", "extra"}, wantCode: exitUsage, wantErr: "unexpected arguments"},
		{name: "serve with an unknown flag", args: []string{"serve", "--frobnicate"}, wantCode: exitUsage, wantErr: "flag provided but not defined"},
		{name: "serve without a connection cap", args: []string{"serve", "--max-connections", "0"}, wantCode: exitUsage, wantErr: "max connections 0"},
		{name: "serve with a metrics port uncapped", args: []string{"serve", "--metrics-max-connections", "-1"}, wantCode: exitUsage, wantErr: "max connections -1"},
		{name: "serve with huge headers", args: []string{"serve", "--max-header-bytes", "16777216"}, wantCode: exitUsage, wantErr: "max header bytes"},
		{name: "serve with no header timeout", args: []string{"serve", "--read-header-timeout", "0s"}, wantCode: exitUsage, wantErr: "read header timeout"},
		{name: "serve with a memory limit that is no quantity", args: []string{"serve", "--memory-limit", "lots"}, wantCode: exitUsage, wantErr: "--memory-limit"},
		{name: "serve with a tiny memory limit", args: []string{"serve", "--memory-limit", "1Mi"}, wantCode: exitUsage, wantErr: "want at least 32Mi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCommand(t, "", tt.args...)
			assert.Equal(t, tt.wantCode, r.code)
			assert.Contains(t, r.stdout, tt.wantOut)
			assert.Contains(t, r.stderr, tt.wantErr)
		})
	}
}

func TestServeRefusesABrokenConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte("mode: enforce\nrules:\n  privileged: {mode: strict}\n"), 0o644))

	r := runCommand(t, "", "serve", "--config", path, "--cert-dir", t.TempDir())

	assert.Equal(t, exitUsage, r.code, "a bad config must stop the server before it serves anything")
	assert.Contains(t, r.stderr, "line 3")
	assert.Contains(t, r.stderr, `unknown mode "strict"`)
}

func TestRulesListsEffectiveModes(t *testing.T) {
	r := runCommand(t, "", "rules", "--config", filepath.Join("testdata", "check", "dry-run.yaml"))
	require.Equal(t, exitOK, r.code, r.stderr)

	table, judged, found := strings.Cut(r.stdout, "\n\n")
	require.True(t, found, "a blank line ends the table")
	// Every judged kind is named by its resource, and its group where it has one, in the table's order.
	var kinds []string
	for _, k := range objects.Kinds() {
		name := k.Resource
		if k.Group != "" {
			name += "." + k.Group
		}
		kinds = append(kinds, name)
	}
	lines := strings.SplitAfter(judged, "\n")
	require.Greater(t, len(lines), 2)
	assert.Equal(t, "Profile: aks at Pod Security version latest (v1.37) (PROFILES lists the profiles that turn each rule on; (v1.N+): from that version on).\n"+
		"Judged: "+strings.Join(kinds, ", ")+".\n", lines[0]+lines[1])
	assert.Contains(t, kinds, "deployments.apps")
	assert.Contains(t, judged, "\nkubeguard audit also runs these checks (--upgrade runs only drain-blocked, unmanaged-pod and removed-api-in-use):\nCHECK")
	for _, id := range []string{"instance-metadata-egress", "drain-blocked", "unmanaged-pod", "removed-api-in-use"} {
		assert.Regexp(t, "(?m)^"+id+" ", judged, "the audit checks are listed")
	}
	modes, profiles := map[string]string{}, map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(table), "\n")[1:] {
		fields := strings.Fields(line)
		require.GreaterOrEqual(t, len(fields), 5, line)
		modes[fields[0]] = fields[1]
		profiles[fields[0]] = fields[3]
	}
	// dry-run.yaml sets mode dry-run, so each rule of the default profile is in dry-run and every other rule
	// off, but for its two rules with a mode of their own.
	want := map[string]string{}
	for _, rule := range rules.All() {
		want[rule.ID] = "off"
		if rule.On(rules.AKS, rules.Latest) {
			want[rule.ID] = "dry-run"
		}
	}
	want["privileged"], want["apparmor-profile"] = "enforce", "off"
	assert.Equal(t, want, modes)
	assert.Equal(t, "dry-run", modes["run-as-root"])
	assert.Equal(t, "off", modes["host-ports"])
	assert.Equal(t, "aks,baseline,restricted", profiles["pdb-allows-disruption"])
	assert.Equal(t, "aks,baseline,restricted", profiles["privileged"])
	assert.Equal(t, "aks,restricted", profiles["run-as-root"])
	assert.Equal(t, "baseline,restricted", profiles["host-ports"])
	assert.Equal(t, "restricted", profiles["volume-types"])
	assert.Equal(t, "restricted(v1.22+)", profiles["minimal-capabilities"])
	assert.Equal(t, "aks,restricted(v1.8+)", profiles["privilege-escalation"])
	assert.NotContains(t, r.stdout, "Note: profileVersion", "the latest version is not pointed out")
	assertGolden(t, "rules.txt", r.stdout)
}

// kubeguard rules shows the Pod Security version the profile follows, and points out one pinned before the
// newest: an old version is a weaker policy, and a forgotten pin would go unseen.
func TestRulesShowsThePinnedVersion(t *testing.T) {
	r := runCommand(t, "", "rules", "--config", filepath.Join("testdata", "check", "pinned-version.yaml"))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "\nNote: profileVersion v1.18 judges pods by the Pod Security Standards of Kubernetes 1.18, not the newest kubeguard knows (v1.37, profileVersion: latest)")
	assert.Contains(t, r.stdout, "\nProfile: restricted at Pod Security version v1.18 ")
	assert.Regexp(t, `(?m)^minimal-capabilities +off `, r.stdout, "restricted dropped no capabilities before v1.22")
	assert.Regexp(t, `(?m)^probe-host +off `, r.stdout, "the levels judged no probe hosts before v1.34")
	assert.Regexp(t, `(?m)^privilege-escalation +enforce `, r.stdout)
	assertGolden(t, "rules-pinned-version.txt", r.stdout)
}

// A profileVersion kubeguard cannot follow stops every command that reads the configuration with exit code
// 2 and the line of the key: a typo never falls back to another version.
func TestBadProfileVersionIsAConfigurationError(t *testing.T) {
	for _, bad := range []string{"v2.0", "v1.99", "1.30", "garbage"} {
		t.Run(bad, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			require.NoError(t, os.WriteFile(path, []byte("profile: restricted\nprofileVersion: "+bad+"\n"), 0o644))
			for _, args := range [][]string{{"rules", "--config", path}, {"serve", "--config", path, "--cert-dir", t.TempDir()}} {
				r := runCommand(t, "", args...)
				assert.Equal(t, exitUsage, r.code, "%s: %s", args[0], r.stderr)
				assert.Contains(t, r.stderr, "line 2: profileVersion: \""+bad+"\"", args[0])
				assert.Empty(t, r.stdout, args[0])
			}
		})
	}
}

// kubeguard rules shows when each enforced rule starts to deny.
func TestRulesShowsEnforcementDates(t *testing.T) {
	r := runCommand(t, "", "rules", "--config", filepath.Join("testdata", "check", "dates.yaml"))
	require.Equal(t, exitOK, r.code, r.stderr)
	dates := map[string]string{}
	table, _, _ := strings.Cut(r.stdout, "\n\n")
	lines := strings.Split(table, "\n")
	assert.Equal(t, []string{"RULE", "MODE", "ENFORCED", "FROM", "PROFILES", "DESCRIPTION"}, strings.Fields(lines[0]))
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		dates[fields[0]] = fields[2]
	}
	assert.Equal(t, "2026-06-01T00:00:00Z", dates["seccomp-profile"])
	assert.Equal(t, "2027-01-01T00:00:00Z", dates["privileged"])
	assertGolden(t, "rules-dates.txt", r.stdout)
}

func TestRulesPointsOutFarDates(t *testing.T) {
	r := runCommand(t, "", "rules", "--config", filepath.Join("testdata", "check", "far-dates.yaml"))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "\nNote: rules.privileged.enforceAfter is 9999-12-31T00:00:00Z, more than 3 years ahead")
	assert.Contains(t, r.stdout, "\nNote: exemptions.users.until (ci-bot) is 9999-01-01T00:00:00Z, more than 3 years ahead")
	assert.NotContains(t, r.stdout, "deploy-bot", "a near date is not pointed out")
	assertGolden(t, "rules-far-dates.txt", r.stdout)
}
