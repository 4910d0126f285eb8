package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenReportsCRDsMatchTheModule keeps the CRDs the chart installs equal to those of the
// reports-api module that kubeguard audit writes with: go.mod pins the version, the chart follows it.
func TestOpenReportsCRDsMatchTheModule(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/openreports/reports-api").Output()
	require.NoError(t, err, "go list cannot find the reports-api module")
	moduleDir := strings.TrimSpace(string(out))
	for _, name := range []string{"openreports.io_reports.yaml", "openreports.io_clusterreports.yaml"} {
		want, err := os.ReadFile(filepath.Join(moduleDir, "config", "crd", name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join("charts", "kubeguard", "files", "openreports", name))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "copy %s from %s/config/crd into the chart", name, moduleDir)
	}
}
