package e2e

import (
	"context"
	"strings"
	"testing"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
)

// The attacks a tenant can make on kubeguard audit, the view admins decide what to enforce from: hide a
// pod behind a compliant workload, keep an old ReplicaSet running, squat the report's name.

// deployment creates a Deployment of replicas pods with spec in ns and waits for its pods.
func deployment(t *testing.T, ns, name string, replicas int32, spec corev1.PodSpec) *appsv1.Deployment {
	t.Helper()
	labels := map[string]string{"app": name}
	d, err := cluster.ControlPlane.Client.AppsV1().Deployments(ns).Create(context.Background(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	eventually(t, settleTimeout, "the pods of "+name, func() (bool, string) {
		pods := livePods(t, ns)
		return len(pods) == int(replicas), strings.Repeat("pod ", len(pods))
	})
	return d
}

// auditChecks are the audit's findings that are no rule's: what the live cluster shows.
var auditChecks = map[string]bool{"instance-metadata-egress": true, "drain-blocked": true, "unmanaged-pod": true, "removed-api-in-use": true}

// findingsByObject counts the rule findings of an audit per Kind/name, and the pods counted on each.
func findingsByObject(out auditOutput) (findings, pods map[string]int) {
	findings, pods = map[string]int{}, map[string]int{}
	for _, f := range out.Findings {
		if auditChecks[f.Rule] {
			continue
		}
		findings[f.Kind+"/"+f.Name]++
		pods[f.Kind+"/"+f.Name] = f.Pods
	}
	return findings, pods
}

// TestAuditReportsAPodThatClaimsACompliantDeployment creates a privileged hostPID pod whose controller
// reference names a compliant Deployment, with its UID: the reference is valid (the garbage collector
// keeps the pod), but Deployments make no pods, so the pod is reported as itself.
func TestAuditReportsAPodThatClaimsACompliantDeployment(t *testing.T) {
	ns := newNamespace(t, true)
	d := deployment(t, ns, "web", 1, compliantPodSpec())
	spec := noncompliantPodSpec()
	spec.HostPID = true
	_, err := cluster.ControlPlane.Client.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "intruder", OwnerReferences: []metav1.OwnerReference{{
			APIVersion: "apps/v1", Kind: "Deployment", Name: d.Name, UID: d.UID, Controller: ptr.To(true),
		}}},
		Spec: spec,
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	out, code := auditJSON(t, "-n", ns, "--fail-on-denied")
	assert.Equal(t, 1, code, "the intruder would be denied")
	findings, pods := findingsByObject(out)
	assert.Equal(t, map[string]int{"Pod/intruder": len(noncompliantViolations("spec"))}, findings)
	assert.Zero(t, pods["Pod/intruder"])
	assert.Equal(t, 2, out.Namespaces[0].Judged, "the Deployment and the intruder")
	assert.Equal(t, 1, out.Namespaces[0].Denied)
}

// TestAuditReportsAnOldReplicaSet leaves a privileged ReplicaSet running behind a compliant Deployment,
// as a paused rollout does: the ReplicaSet is reported with its pods, the Deployment is not.
func TestAuditReportsAnOldReplicaSet(t *testing.T) {
	ns := newNamespace(t, true)
	client := cluster.ControlPlane.Client.AppsV1().Deployments(ns)
	ctx := context.Background()
	d := deployment(t, ns, "web", 2, noncompliantPodSpec())
	// Paused in the same update that fixes the template: the controller never rolls the fix out. The
	// controller writes the Deployment's status meanwhile, so the update is retried on a conflict.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		latest, err := client.Get(ctx, d.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		latest.Spec.Paused = true
		latest.Spec.Template.Spec = compliantPodSpec()
		_, err = client.Update(ctx, latest, metav1.UpdateOptions{})
		return err
	})
	require.NoError(t, err)
	replicaSets, err := cluster.ControlPlane.Client.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	require.Len(t, replicaSets.Items, 1, "the paused Deployment made a new ReplicaSet")
	old := replicaSets.Items[0]

	out, code := auditJSON(t, "-n", ns)
	assert.Equal(t, 1, code, "the old ReplicaSet would be denied")
	findings, pods := findingsByObject(out)
	assert.Equal(t, map[string]int{"ReplicaSet/" + old.Name: len(noncompliantViolations("spec"))}, findings)
	assert.Equal(t, 2, pods["ReplicaSet/"+old.Name], "the old ReplicaSet's pods")
	assert.Equal(t, 1, out.Namespaces[0].Denied)
}

// TestAuditLeavesASquattedReportAlone has a tenant create a Report of kubeguard's name, without its
// managed-by label, in its namespace before the audit: the run leaves it as it is, says so in its output
// and exit code, and writes every other report.
func TestAuditLeavesASquattedReportAlone(t *testing.T) {
	client := installReportCRDs(t)
	ctx := context.Background()
	tenant, other := newNamespace(t, true), newNamespace(t, true)
	fake := &orv1alpha1.Report{ObjectMeta: metav1.ObjectMeta{Name: "kubeguard-audit", Namespace: tenant}, Source: "kubeguard"}
	fake.Summary.Pass = 100
	fake, err := client.OpenreportsV1alpha1().Reports(tenant).Create(ctx, fake, metav1.CreateOptions{})
	require.NoError(t, err)

	out, code := auditJSON(t, "--write-reports", "--fail-on-denied=false")
	assert.Equal(t, 3, code, "a report left alone")
	var conflicts []string
	for _, f := range out.Findings {
		if f.Rule == "report-conflict" {
			conflicts = append(conflicts, f.Decision+" "+f.Namespace+"/"+f.Kind+"/"+f.Name)
		}
	}
	assert.Equal(t, []string{"warned " + tenant + "/Report/kubeguard-audit"}, conflicts)

	got, err := client.OpenreportsV1alpha1().Reports(tenant).Get(ctx, "kubeguard-audit", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, fake.ResourceVersion, got.ResourceVersion, "the tenant's report was changed")
	assert.Equal(t, 100, got.Summary.Pass)

	written, err := client.OpenreportsV1alpha1().Reports(other).Get(ctx, "kubeguard-audit", metav1.GetOptions{})
	require.NoError(t, err, "the other namespace's report")
	assert.Equal(t, "kubeguard-audit", written.Labels["app.kubernetes.io/managed-by"])
	cluster, err := client.OpenreportsV1alpha1().ClusterReports().Get(ctx, "kubeguard-audit", metav1.GetOptions{})
	require.NoError(t, err, "the cluster report")
	var named []string
	for _, res := range cluster.Results {
		if res.Rule == "report-conflict" {
			named = append(named, res.Subjects[0].Namespace)
		}
	}
	assert.Equal(t, []string{tenant}, named, "the cluster report names the report left alone")

	text, stderr, code := runAudit(t, "--write-reports", "--fail-on-denied=false")
	assert.Equal(t, 3, code)
	assert.Regexp(t, `(?m)^warned `+tenant+` reports\.openreports\.io/kubeguard-audit: report-conflict: `, text)
	assert.Contains(t, stderr, "1 report left alone")
}
