package audit

import (
	"context"
	"testing"
	"time"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	"github.com/openreports/reports-api/pkg/client/clientset/versioned/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubeguard/kubeguard/judgement"
)

func namespacedReport(ns string, labels map[string]string, pass int) *orv1alpha1.Report {
	r := &orv1alpha1.Report{ObjectMeta: metav1.ObjectMeta{Name: ReportName, Namespace: ns, Labels: labels}, Source: "someone"}
	r.Summary.Pass = pass
	return r
}

func auditOf(namespaces ...string) *Report {
	r := &Report{At: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}
	for _, ns := range namespaces {
		r.Namespaces = append(r.Namespaces, &Namespace{Name: ns, Judged: 1, Denied: 1, Rules: map[string]int{"privileged": 1}})
		r.Findings = append(r.Findings, Finding{Rule: "privileged", Namespace: ns, Kind: "Pod", Name: "p", Decision: judgement.Denied, Message: "privileged: ..."})
	}
	return r
}

// TestWriteReportsLeavesOthersReportsAlone squats kubeguard's report name in one namespace, as a tenant
// may: that object is left as it is and reported, and every other report is written or deleted.
func TestWriteReportsLeavesOthersReportsAlone(t *testing.T) {
	ours := map[string]string{ManagedByLabel: ManagedBy}
	squatter := namespacedReport("team-b", map[string]string{ManagedByLabel: "tenant"}, 99)
	client := fake.NewSimpleClientset(
		namespacedReport("team-a", ours, 5),
		squatter,
		namespacedReport("gone", ours, 1),
		namespacedReport("elsewhere", nil, 3),
	)
	ctx := context.Background()
	r := auditOf("", "team-a", "team-b", "team-c")

	require.NoError(t, WriteReports(ctx, client, r, ""))

	api := client.OpenreportsV1alpha1()
	got, err := api.Reports("team-b").Get(ctx, ReportName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, squatter, got, "the squatted report was changed")
	for _, ns := range []string{"team-a", "team-c"} {
		got, err := api.Reports(ns).Get(ctx, ReportName, metav1.GetOptions{})
		require.NoError(t, err, "the report of %s", ns)
		assert.Equal(t, "kubeguard", got.Source, "the report of %s", ns)
		assert.Equal(t, 1, got.Summary.Fail, "the report of %s", ns)
	}
	_, err = api.Reports("gone").Get(ctx, ReportName, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "kubeguard's report of a namespace no longer audited is kept: %v", err)
	_, err = api.Reports("elsewhere").Get(ctx, ReportName, metav1.GetOptions{})
	assert.NoError(t, err, "a report kubeguard does not own was deleted")

	cluster, err := api.ClusterReports().Get(ctx, ReportName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, cluster.Summary.Error)
	var conflicts []orv1alpha1.ReportResult
	for _, res := range cluster.Results {
		if res.Rule == ConflictRule {
			conflicts = append(conflicts, res)
		}
	}
	require.Len(t, conflicts, 1)
	assert.Equal(t, orv1alpha1.Result("error"), conflicts[0].Result)
	assert.Equal(t, "team-b", conflicts[0].Subjects[0].Namespace)

	assert.Equal(t, 1, r.ReportConflicts())
	last := r.Findings[len(r.Findings)-1]
	assert.Equal(t, []string{ConflictRule, "team-b", "Report", ReportName}, []string{last.Rule, last.Namespace, last.Kind, last.Name})
	assertTextGolden(t, &Report{Findings: []Finding{last}})
	assert.Equal(t, 1, r.Namespaces[2].Rules[ConflictRule])
}

// TestWriteReportsNeverOverwritesARace creates someone else's report between the run's list and its
// create: the run reads it again and leaves it.
func TestWriteReportsNeverOverwritesARace(t *testing.T) {
	client := fake.NewSimpleClientset()
	squatter := namespacedReport("team-a", nil, 99)
	client.PrependReactor("create", "reports", func(action k8stesting.Action) (bool, runtime.Object, error) {
		if err := client.Tracker().Add(squatter); err != nil {
			return true, nil, err
		}
		return true, nil, apierrors.NewAlreadyExists(orv1alpha1.Resource("reports"), ReportName)
	})
	ctx := context.Background()
	r := auditOf("team-a")

	require.NoError(t, WriteReports(ctx, client, r, "team-a"))
	got, err := client.OpenreportsV1alpha1().Reports("team-a").Get(ctx, ReportName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, squatter, got)
	assert.Equal(t, 1, r.ReportConflicts())
	_, err = client.OpenreportsV1alpha1().ClusterReports().Get(ctx, ReportName, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "a namespace's audit wrote the cluster report")
}

// TestWriteReportsMergesTheUpgradeChecks writes the findings of kubeguard audit --upgrade into the
// reports an earlier full audit wrote: the upgrade checks' results are replaced, every other result and
// count is kept; a report kubeguard does not own is neither merged from nor changed.
func TestWriteReportsMergesTheUpgradeChecks(t *testing.T) {
	ours := map[string]string{ManagedByLabel: ManagedBy}
	earlier := namespacedReport("team-a", ours, 4)
	earlier.Results = []orv1alpha1.ReportResult{
		{Policy: "privileged", Rule: "privileged", Result: "fail"},
		{Policy: "drain-blocked", Rule: "drain-blocked", Result: "fail"},
		{Policy: "unmanaged-pod", Rule: "unmanaged-pod", Result: "warn"},
	}
	earlier.Summary.Fail, earlier.Summary.Warn = 2, 1
	squatter := namespacedReport("team-b", nil, 7)
	squatter.Results = []orv1alpha1.ReportResult{{Rule: "privileged", Result: "pass"}}
	client := fake.NewSimpleClientset(earlier, squatter)
	ctx := context.Background()

	r := &Report{At: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), UpgradeOnly: true}
	for _, ns := range []string{"team-a", "team-b"} {
		r.Namespaces = append(r.Namespaces, &Namespace{Name: ns, Judged: 1, Warned: 1, Rules: map[string]int{"unmanaged-pod": 1}})
		r.Findings = append(r.Findings, Finding{Rule: "unmanaged-pod", Namespace: ns, Kind: "Pod", Name: "debug", Decision: judgement.Warned, Message: "unmanaged-pod: ..."})
	}
	require.NoError(t, WriteReports(ctx, client, r, ""))

	got, err := client.OpenreportsV1alpha1().Reports("team-a").Get(ctx, ReportName, metav1.GetOptions{})
	require.NoError(t, err)
	var rules []string
	for _, res := range got.Results {
		rules = append(rules, res.Rule+" "+string(res.Result))
	}
	assert.Equal(t, []string{"privileged fail", "unmanaged-pod warn"}, rules)
	assert.Equal(t, orv1alpha1.ReportSummary{Pass: 4, Fail: 1, Warn: 1}, got.Summary)

	b, err := client.OpenreportsV1alpha1().Reports("team-b").Get(ctx, ReportName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, squatter, b, "someone else's report was changed")
	assert.Equal(t, 1, r.ReportConflicts())

	// A second run of the upgrade checks alone replaces its own results, never doubling them.
	require.NoError(t, WriteReports(ctx, client, r, "team-a"))
	got, err = client.OpenreportsV1alpha1().Reports("team-a").Get(ctx, ReportName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Len(t, got.Results, 2)
	assert.Equal(t, orv1alpha1.ReportSummary{Pass: 4, Fail: 1, Warn: 1}, got.Summary)
}
