package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	openreports "github.com/openreports/reports-api/pkg/client/clientset/versioned"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// installReportCRDs installs the OpenReports CRDs the chart ships and waits until they are served.
func installReportCRDs(t *testing.T) openreports.Interface {
	t.Helper()
	root, err := framework.RepoRoot()
	require.NoError(t, err)
	crds := filepath.Join(root, "deploy", "charts", "kubeguard", "files", "openreports")
	require.Zero(t, kubectl(t, "apply", "--server-side", "-f", crds).ExitCode)
	require.Zero(t, kubectl(t, "wait", "--for=condition=Established", "--timeout=60s",
		"crd/reports.openreports.io", "crd/clusterreports.openreports.io").ExitCode)
	client, err := openreports.NewForConfig(cluster.ControlPlane.Config)
	require.NoError(t, err)
	eventually(t, time.Minute, "reports served", func() (bool, string) {
		_, err := client.OpenreportsV1alpha1().Reports("default").List(context.Background(), metav1.ListOptions{})
		return err == nil, errString(err)
	})
	return client
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func results(r *orv1alpha1.Report, rule string) []orv1alpha1.ReportResult {
	var out []orv1alpha1.ReportResult
	for _, res := range r.Results {
		if res.Rule == rule {
			out = append(out, res)
		}
	}
	return out
}

// TestAuditWritesReports writes a namespace's findings as an OpenReports Report, rewrites it after a
// fix so the fixed violation disappears, and deletes it once the namespace is exempt.
func TestAuditWritesReports(t *testing.T) {
	client := installReportCRDs(t)
	ns := auditedNamespace(t)
	ctx := context.Background()

	_, _, code := runAudit(t, "-n", ns, "--write-reports")
	assert.Equal(t, 1, code)
	report, err := client.OpenreportsV1alpha1().Reports(ns).Get(ctx, "kubeguard-audit", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "kubeguard", report.Source)
	assert.Equal(t, "kubeguard-audit", report.Labels["app.kubernetes.io/managed-by"])
	privileged := results(report, "privileged")
	require.Len(t, privileged, 2, "the legacy Deployment and the bare pod")
	for _, res := range privileged {
		assert.Equal(t, orv1alpha1.Result("fail"), res.Result)
		require.Len(t, res.Subjects, 1)
		assert.Equal(t, ns, res.Subjects[0].Namespace)
		// The result says which field of which container, for tools; the description is the audit's line.
		assert.Equal(t, "app", res.Properties["container"])
		assert.NotEmpty(t, res.Description)
		specPath := "spec"
		if res.Subjects[0].Kind == "Deployment" {
			specPath = "spec.template.spec"
			assert.Equal(t, "apps/v1", res.Subjects[0].APIVersion)
			assert.Equal(t, "3", res.Properties["pods"])
		}
		assert.Equal(t, noncompliantViolations(specPath)[0].field, res.Properties["field"], "the privileged field of %s", res.Subjects[0].Kind)
	}
	assert.Len(t, results(report, "instance-metadata-egress"), 1)
	unmanaged := results(report, "unmanaged-pod")
	require.Len(t, unmanaged, 1, "the bare pod, which a drain loses")
	assert.Equal(t, "bare", unmanaged[0].Subjects[0].Name)
	assert.Equal(t, orv1alpha1.Result("warn"), unmanaged[0].Result)
	assert.Equal(t, 1, report.Summary.Pass, "the compliant Deployment")
	assert.Equal(t, 10, report.Summary.Fail)
	assert.Equal(t, 2, report.Summary.Warn)

	// The upgrade checks alone land in the same report: their results are replaced, the rules' kept.
	_, _, code = runAudit(t, "-n", ns, "--upgrade", "--write-reports")
	assert.Equal(t, 0, code, "nothing blocks an upgrade")
	upgraded, err := client.OpenreportsV1alpha1().Reports(ns).Get(ctx, "kubeguard-audit", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, report.Summary, upgraded.Summary)
	assert.Len(t, results(upgraded, "privileged"), 2)
	assert.Len(t, results(upgraded, "unmanaged-pod"), 1)
	assert.Len(t, upgraded.Results, len(report.Results))

	// The bare pod is fixed by deleting it: the next run's report no longer names it.
	require.Zero(t, kubectl(t, "delete", "pod", "bare", "-n", ns, "--wait=true").ExitCode)
	runAudit(t, "-n", ns, "--write-reports")
	report, err = client.OpenreportsV1alpha1().Reports(ns).Get(ctx, "kubeguard-audit", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Len(t, results(report, "privileged"), 1)
	assert.Empty(t, results(report, "unmanaged-pod"))
	assert.Equal(t, 5, report.Summary.Fail)

	// Exempt now: its report is removed.
	config := manifestConfig(t, "exemptions:\n  namespaces: ["+ns+"]\n")
	_, _, code = runAudit(t, "-n", ns, "--write-reports", "--config", config)
	assert.Equal(t, 0, code)
	_, err = client.OpenreportsV1alpha1().Reports(ns).Get(ctx, "kubeguard-audit", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the exempt namespace's report is still there: %v", err)
}
