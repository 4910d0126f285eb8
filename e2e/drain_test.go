package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// dedicatedTaint keeps every pod but the test's own off its nodes, so that draining them touches no
// other test's pods.
const dedicatedTaint = "e2e.kubeguard.io/dedicated"

// dedicatedNodes adds two nodes that only pods tolerating the namespace's taint are scheduled to, and
// removes them when the test ends.
func dedicatedNodes(t *testing.T, ns string) []string {
	t.Helper()
	ctx := context.Background()
	client := cluster.ControlPlane.Client
	taint := corev1.Taint{Key: dedicatedTaint, Value: ns, Effect: corev1.TaintEffectNoSchedule}
	var names []string
	for i := range 2 {
		name := fmt.Sprintf("%s-pool-%d", ns, i+1)
		require.NoError(t, framework.AddTaintedNode(ctx, client, name, taint))
		names = append(names, name)
		t.Cleanup(func() { _ = client.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	}
	return names
}

// checkFinding is what identifies a finding of an audit check: its decision, object, field and the
// nodes and workloads it names. The words are the audit's goldens'.
type checkFinding struct {
	Decision, Kind, Namespace, Name, Field string
	Nodes, Workloads                       []string
}

// findingsOfCheck returns the findings of rule in out, by identity.
func findingsOfCheck(out auditOutput, rule string) []checkFinding {
	var findings []checkFinding
	for _, f := range out.Findings {
		if f.Rule == rule {
			findings = append(findings, checkFinding{f.Decision, f.Kind, f.Namespace, f.Name, f.Field, f.Nodes, f.Workloads})
		}
	}
	return findings
}

// upgradeFindings runs kubeguard audit --upgrade -o json with args and returns its findings of rule.
func upgradeFindings(t *testing.T, rule string, args ...string) (findings []checkFinding, code int) {
	t.Helper()
	out, code := auditJSON(t, append([]string{"--upgrade"}, args...)...)
	return findingsOfCheck(out, rule), code
}

// The audit's drain prediction is what a real drain does: a Deployment of two replicas under a budget of
// minAvailable 2 is reported as drain-blocked, naming the nodes its pods run on, and `kubectl drain` of
// such a node fails on that budget; once the budget allows one eviction, the audit is clean and the same
// drain succeeds.
func TestUpgradeAuditPredictsTheDrain(t *testing.T) {
	ctx := context.Background()
	client := cluster.ControlPlane.Client
	ns := newNamespace(t, false)
	nodes := dedicatedNodes(t, ns)

	spec := compliantPodSpec()
	spec.Tolerations = []corev1.Toleration{{Key: dedicatedTaint, Operator: corev1.TolerationOpEqual, Value: ns, Effect: corev1.TaintEffectNoSchedule}}
	spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{
			{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: nodes},
		}}},
	}}}
	deployment := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "shop"},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](2), Selector: selector("shop"), Template: podTemplate("shop", spec, nil)},
	}
	budget := &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: metav1.ObjectMeta{Name: "shop"},
		Spec:       policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(2)), Selector: selector("shop")},
	}
	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, "shop", deployment, budget))
	require.Zero(t, res.ExitCode, "a budget with minAvailable as a number is admitted: only the live cluster tells whether it blocks")

	// The budget's status is the disruption controller's: wait until it counts both pods healthy.
	eventually(t, settleTimeout, "both pods of shop healthy under its budget", func() (bool, string) {
		pdb, err := client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "shop", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return pdb.Status.ObservedGeneration == pdb.Generation && pdb.Status.CurrentHealthy == 2 && pdb.Status.ExpectedPods == 2,
			fmt.Sprintf("%d/%d healthy, %d disruptions allowed", pdb.Status.CurrentHealthy, pdb.Status.ExpectedPods, pdb.Status.DisruptionsAllowed)
	})
	var podNodes []string
	for _, p := range livePods(t, ns) {
		require.Contains(t, nodes, p.Spec.NodeName)
		if !slices.Contains(podNodes, p.Spec.NodeName) {
			podNodes = append(podNodes, p.Spec.NodeName)
		}
	}
	slices.Sort(podNodes)
	drained := podNodes[0]

	// The prediction.
	// The budget shop, by its minAvailable, covers Deployment shop and blocks the drain of the nodes its
	// pods run on.
	findings, code := upgradeFindings(t, "drain-blocked", "-n", ns)
	prediction := []checkFinding{{"denied", "PodDisruptionBudget", ns, "shop", "spec.minAvailable", podNodes, []string{"deployments.apps/shop"}}}
	assert.Equal(t, prediction, findings)
	assert.Equal(t, 1, code, "a blocked drain fails the audit")
	// The plain audit says the same from its one listing.
	out, _ := auditJSON(t, "-n", ns)
	assert.Equal(t, prediction, findingsOfCheck(out, "drain-blocked"), "the plain audit")

	// The truth: the drain fails on that budget. kubectl names no budget; the Eviction API's cause does.
	res = kubectl(t, "drain", drained, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=20s")
	assert.NotZero(t, res.ExitCode, "draining %s", drained)
	assert.Contains(t, res.Stdout+res.Stderr, "violate the pod's disruption budget")
	var victim string
	for _, p := range livePods(t, ns) {
		if p.Spec.NodeName == drained {
			victim = p.Name
		}
	}
	require.NotEmpty(t, victim, "the failed drain left the pods on %s", drained)
	err := client.PolicyV1().Evictions(ns).Evict(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: victim, Namespace: ns}})
	require.True(t, apierrors.IsTooManyRequests(err), "evicting %s: %v", victim, err)
	var status apierrors.APIStatus
	require.ErrorAs(t, err, &status)
	require.NotNil(t, status.Status().Details)
	var causes []string
	for _, c := range status.Status().Details.Causes {
		causes = append(causes, c.Message)
	}
	assert.Contains(t, strings.Join(causes, "\n"), "disruption budget shop", "the eviction is refused by that budget")

	// The fix: one pod at a time may go.
	res = kubectl(t, "patch", "pdb", "shop", "-n", ns, "--type=json", "-p", `[{"op":"remove","path":"/spec/minAvailable"},{"op":"add","path":"/spec/maxUnavailable","value":1}]`)
	require.Zero(t, res.ExitCode)
	eventually(t, settleTimeout, "the fixed budget allowing a disruption", func() (bool, string) {
		pdb, err := client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "shop", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return pdb.Status.ObservedGeneration == pdb.Generation && pdb.Status.DisruptionsAllowed == 1,
			fmt.Sprintf("%d disruptions allowed", pdb.Status.DisruptionsAllowed)
	})
	findings, code = upgradeFindings(t, "drain-blocked", "-n", ns)
	assert.Empty(t, findings)
	assert.Zero(t, code, "a clean upgrade audit passes")
	res = kubectl(t, "drain", drained, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=2m")
	require.Zero(t, res.ExitCode, "draining %s once the budget allows it", drained)
	assert.Contains(t, res.Stdout, "node/"+drained+" drained")
}

// A budget that can never allow an eviction is refused through kubectl, and only warned about in a
// dry-run namespace.
func TestBudgetThatNeverAllowsAnEvictionIsRefused(t *testing.T) {
	budget := &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: metav1.ObjectMeta{Name: "frozen"},
		Spec:       policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr.To(intstr.FromInt32(0)), Selector: selector("frozen")},
	}
	file := manifestFile(t, "frozen", budget)
	ns := newNamespace(t, false)
	res := kubectl(t, "apply", "-n", ns, "-f", file)
	blocking := violation{rule: "pdb-allows-disruption", field: "spec.maxUnavailable"}
	assertViolationLines(t, deniedLines(t, res, "poddisruptionbudgets.policy", "frozen"), []violation{blocking})
	assertStored(t, ns, "poddisruptionbudgets.policy", "frozen", false)

	dryRun := newNamespace(t, true)
	res = kubectl(t, "apply", "-n", dryRun, "-f", file)
	assert.Zero(t, res.ExitCode)
	if warned := dryRunWarnings(res); assert.Len(t, warned, 1) {
		assert.Contains(t, warned[0], blocking.rule)
		assert.Contains(t, warned[0], "maxUnavailable", "the warning names the setting")
	}
	assertStored(t, dryRun, "poddisruptionbudgets.policy", "frozen", true)
}

// A deprecated API that clients request is named by the upgrade audit for a target version that
// removes it, and not for one that still serves it.
func TestUpgradeAuditNamesRemovedAPIsInUse(t *testing.T) {
	gv := framework.DeprecatedGroupVersion
	res := kubectl(t, "get", "--raw", "/apis/"+gv+"/ipaddresses")
	require.Zero(t, res.ExitCode, "the test API server serves %s", gv)

	group, version, _ := strings.Cut(gv, "/")
	name := version + "." + group
	removes := framework.DeprecatedGroupVersionRemovedIn
	// The finding is on the group version's APIService, about that group version.
	named := func(findings []checkFinding) []checkFinding {
		var out []checkFinding
		for _, f := range findings {
			if f.Kind == "APIService" && f.Name == name {
				out = append(out, f)
			}
		}
		return out
	}
	findings, code := upgradeFindings(t, "removed-api-in-use", "--target-version", removes)
	assert.Equal(t, []checkFinding{{Decision: "denied", Kind: "APIService", Name: name, Field: gv}}, named(findings), "%s requested", gv)
	assert.Equal(t, 1, code)

	var minor int
	_, err := fmt.Sscanf(removes, "1.%d", &minor)
	require.NoError(t, err)
	findings, _ = upgradeFindings(t, "removed-api-in-use", "--target-version", fmt.Sprintf("1.%d", minor-1))
	assert.Empty(t, named(findings), "a target that still serves %s", gv)
}

// kubeguard's own Deployment and budget (two replicas, minAvailable 1), as the chart renders them, run
// on the cluster's nodes and pass the upgrade audit like any other workload.
func TestUpgradeAuditPassesKubeguardItself(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, false)
	root, err := framework.RepoRoot()
	require.NoError(t, err)
	helm, err := framework.Helm(cluster.ControlPlane.Kubeconfig, t.TempDir())
	require.NoError(t, err)
	hctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	res, err := helm.Run(hctx, "template", "kg", filepath.Join(root, "deploy", "charts", "kubeguard"), "-n", ns,
		"--show-only", "templates/serviceaccount.yaml", "--show-only", "templates/deployment.yaml",
		"--show-only", "templates/poddisruptionbudget.yaml")
	require.NoError(t, err)
	require.Zero(t, res.ExitCode, res.String())
	manifest := filepath.Join(t.TempDir(), "kubeguard.yaml")
	require.NoError(t, os.WriteFile(manifest, []byte(res.Stdout), 0o644))
	assertAdmitted(t, kubectl(t, "apply", "-n", ns, "-f", manifest))

	eventually(t, settleTimeout, "kubeguard's two pods healthy under its budget", func() (bool, string) {
		pdb, err := cluster.ControlPlane.Client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "kg-kubeguard", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return pdb.Status.ObservedGeneration == pdb.Generation && pdb.Status.CurrentHealthy == 2 && pdb.Status.DisruptionsAllowed == 1,
			fmt.Sprintf("%d/%d healthy, %d disruptions allowed", pdb.Status.CurrentHealthy, pdb.Status.ExpectedPods, pdb.Status.DisruptionsAllowed)
	})
	out, code := auditJSON(t, "--upgrade", "-n", ns)
	assert.Empty(t, out.Findings)
	assert.Zero(t, code)
}

// A tenant who may create pods forges a controller reference to a real ReplicaSet, with its UID, on a
// pod that ReplicaSet does not select: kubectl drain would trust the reference and evict the pod without
// --force, and no controller would recreate it. The upgrade audit reports it as unmanaged, and the
// Deployment's own pod not.
func TestUpgradeAuditSeesThroughAForgedController(t *testing.T) {
	ctx := context.Background()
	client := cluster.ControlPlane.Client
	ns := newNamespace(t, false)
	deployment(t, ns, "web", 1, compliantPodSpec())
	replicaSets, err := client.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	require.Len(t, replicaSets.Items, 1)
	rs := replicaSets.Items[0]
	_, err = client.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "stowaway", Labels: map[string]string{"app": "stowaway"}, OwnerReferences: []metav1.OwnerReference{{
			APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: ptr.To(true),
		}}},
		Spec: compliantPodSpec(),
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	var node string
	eventually(t, settleTimeout, "the stowaway running", func() (bool, string) {
		p, err := client.CoreV1().Pods(ns).Get(ctx, "stowaway", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		node = p.Spec.NodeName
		return p.Status.Phase == corev1.PodRunning, string(p.Status.Phase)
	})

	// Only the stowaway, on its controller reference, naming the node whose drain would lose it.
	findings, code := upgradeFindings(t, "unmanaged-pod", "-n", ns)
	assert.Equal(t, []checkFinding{{"warned", "Pod", ns, "stowaway", "metadata.ownerReferences", []string{node}, nil}}, findings)
	assert.Zero(t, code, "unmanaged-pod warns by default")
}
