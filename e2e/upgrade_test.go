package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// runUntilDeletedLabel keeps a Job's pods Running until they are deleted (see kwok-stages.yaml), as a
// long batch job's would be when a node is drained under it.
const runUntilDeletedLabel = "e2e.kubeguard.io/run-until-deleted"

// legacyWorkload is a non-compliant workload of one controller kind, admitted in dry-run, and how to
// tell that its controller has brought it to its desired state.
type legacyWorkload struct {
	kind string
	name string
	obj  runtime.Object
	// settled reports whether the workload runs as desired, and what it looks like.
	settled func(ctx context.Context, ns string) (bool, string)
}

func podTemplate(name string, spec corev1.PodSpec, extraLabels map[string]string) corev1.PodTemplateSpec {
	labels := map[string]string{"app": name}
	for k, v := range extraLabels {
		labels[k] = v
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}
}

func selector(name string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}
}

func replicasState(ready, desired int32) (bool, string) {
	return ready == desired, fmt.Sprintf("%d/%d ready", ready, desired)
}

// legacyWorkloads returns one workload of every kind a built-in controller turns into pods, each
// breaking every pod rule. The Deployment has a PodDisruptionBudget (returned separately).
func legacyWorkloads() ([]legacyWorkload, *policyv1.PodDisruptionBudget) {
	spec := noncompliantPodSpec()
	apps := cluster.ControlPlane.Client.AppsV1()
	core := cluster.ControlPlane.Client.CoreV1()
	batch := cluster.ControlPlane.Client.BatchV1()
	meta := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name} }
	typeMeta := func(apiVersion, kind string) metav1.TypeMeta {
		return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
	}

	workloads := []legacyWorkload{
		{kind: "Deployment", name: "legacy-web", obj: &appsv1.Deployment{
			TypeMeta: typeMeta("apps/v1", "Deployment"), ObjectMeta: meta("legacy-web"),
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](3), Selector: selector("legacy-web"), Template: podTemplate("legacy-web", spec, nil)},
		}, settled: func(ctx context.Context, ns string) (bool, string) {
			d, err := apps.Deployments(ns).Get(ctx, "legacy-web", metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			return replicasState(d.Status.AvailableReplicas, *d.Spec.Replicas)
		}},
		{kind: "StatefulSet", name: "legacy-db", obj: &appsv1.StatefulSet{
			TypeMeta: typeMeta("apps/v1", "StatefulSet"), ObjectMeta: meta("legacy-db"),
			Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](2), Selector: selector("legacy-db"), Template: podTemplate("legacy-db", spec, nil)},
		}, settled: func(ctx context.Context, ns string) (bool, string) {
			s, err := apps.StatefulSets(ns).Get(ctx, "legacy-db", metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			return replicasState(s.Status.ReadyReplicas, *s.Spec.Replicas)
		}},
		{kind: "DaemonSet", name: "legacy-agent", obj: &appsv1.DaemonSet{
			TypeMeta: typeMeta("apps/v1", "DaemonSet"), ObjectMeta: meta("legacy-agent"),
			Spec: appsv1.DaemonSetSpec{Selector: selector("legacy-agent"), Template: podTemplate("legacy-agent", spec, nil)},
		}, settled: func(ctx context.Context, ns string) (bool, string) {
			// Counted from the pods: the DaemonSet's status may wait for the pod garbage collector to
			// remove the pod of a deleted node, about a minute, before it counts again.
			return daemonSetOnEveryNode(ctx, ns, "legacy-agent")
		}},
		{kind: "Job", name: "legacy-batch", obj: &batchv1.Job{
			TypeMeta: typeMeta("batch/v1", "Job"), ObjectMeta: meta("legacy-batch"),
			Spec: batchv1.JobSpec{
				Parallelism: ptr.To[int32](2), Completions: ptr.To[int32](2),
				// Evicted pods are not failures: replace them without using up retries or backing off,
				// as a Job meant to survive drains is written.
				PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
					Action:          batchv1.PodFailurePolicyActionIgnore,
					OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget}},
				}}},
				Template: podTemplate("legacy-batch", runToCompletion(spec), map[string]string{runUntilDeletedLabel: "true"}),
			},
		}, settled: func(ctx context.Context, ns string) (bool, string) {
			j, err := batch.Jobs(ns).Get(ctx, "legacy-batch", metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			return replicasState(ptr.Deref(j.Status.Ready, 0), *j.Spec.Parallelism)
		}},
		{kind: "ReplicaSet", name: "legacy-rs", obj: &appsv1.ReplicaSet{
			TypeMeta: typeMeta("apps/v1", "ReplicaSet"), ObjectMeta: meta("legacy-rs"),
			Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](2), Selector: selector("legacy-rs"), Template: podTemplate("legacy-rs", spec, nil)},
		}, settled: func(ctx context.Context, ns string) (bool, string) {
			r, err := apps.ReplicaSets(ns).Get(ctx, "legacy-rs", metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			return replicasState(r.Status.ReadyReplicas, *r.Spec.Replicas)
		}},
		{kind: "ReplicationController", name: "legacy-rc", obj: &corev1.ReplicationController{
			TypeMeta: typeMeta("v1", "ReplicationController"), ObjectMeta: meta("legacy-rc"),
			Spec: corev1.ReplicationControllerSpec{
				Replicas: ptr.To[int32](2), Selector: map[string]string{"app": "legacy-rc"},
				Template: ptr.To(podTemplate("legacy-rc", spec, nil)),
			},
		}, settled: func(ctx context.Context, ns string) (bool, string) {
			r, err := core.ReplicationControllers(ns).Get(ctx, "legacy-rc", metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			return replicasState(r.Status.ReadyReplicas, *r.Spec.Replicas)
		}},
	}
	pdb := &policyv1.PodDisruptionBudget{
		TypeMeta:   typeMeta("policy/v1", "PodDisruptionBudget"),
		ObjectMeta: metav1.ObjectMeta{Name: "legacy-web"},
		Spec:       policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr.To(intstr.FromInt32(1)), Selector: selector("legacy-web")},
	}
	return workloads, pdb
}

// legacyCronJob runs every minute, so that its controller creates a Job while the test watches.
func legacyCronJob() *batchv1.CronJob {
	return &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: metav1.ObjectMeta{Name: "legacy-report"},
		Spec: batchv1.CronJobSpec{
			Schedule:          "* * * * *",
			ConcurrencyPolicy: batchv1.ForbidConcurrent,
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
				Template: podTemplate("legacy-report", runToCompletion(noncompliantPodSpec()), nil),
			}},
		},
	}
}

// daemonSetOnEveryNode reports whether every node runs a Ready pod of the DaemonSet (whose pods
// tolerate cordoned nodes: it belongs on every node).
func daemonSetOnEveryNode(ctx context.Context, ns, name string) (bool, string) {
	nodes, err := cluster.ControlPlane.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, err.Error()
	}
	pods, err := cluster.ControlPlane.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + name})
	if err != nil {
		return false, err.Error()
	}
	ready := map[string]bool{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && podReady(&p) {
			ready[p.Spec.NodeName] = true
		}
	}
	var missing []string
	for _, n := range nodes.Items {
		if !ready[n.Name] {
			missing = append(missing, n.Name)
		}
	}
	return len(missing) == 0, fmt.Sprintf("%d nodes, no Ready pod on %v", len(nodes.Items), missing)
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitSettled polls until every workload runs as desired.
func waitSettled(t *testing.T, ns string, workloads []legacyWorkload, when string) {
	t.Helper()
	ctx := context.Background()
	eventually(t, settleTimeout, "every workload at its desired replicas "+when, func() (bool, string) {
		var states []string
		done := true
		for _, w := range workloads {
			ok, state := w.settled(ctx, ns)
			done = done && ok
			states = append(states, fmt.Sprintf("%s/%s: %s", w.kind, w.name, state))
		}
		return done, strings.Join(states, "; ")
	})
}

// availabilityFloor records the fewest available pods a Deployment had while it runs, polling its
// status: the PodDisruptionBudget must keep it from dropping further than it allows.
type availabilityFloor struct {
	mu     sync.Mutex
	lowest int32
	stop   chan struct{}
	done   chan struct{}
}

func watchAvailability(ns, name string, replicas int32) *availabilityFloor {
	f := &availabilityFloor{lowest: replicas, stop: make(chan struct{}), done: make(chan struct{})}
	poll := time.NewTicker(100 * time.Millisecond)
	go func() {
		defer close(f.done)
		defer poll.Stop()
		for {
			select {
			case <-f.stop:
				return
			case <-poll.C:
			}
			d, err := cluster.ControlPlane.Client.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
			if err != nil {
				continue
			}
			f.mu.Lock()
			f.lowest = min(f.lowest, d.Status.AvailableReplicas)
			f.mu.Unlock()
		}
	}()
	return f
}

func (f *availabilityFloor) Stop() int32 {
	close(f.stop)
	<-f.done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lowest
}

// Upgrade day on AKS: workloads admitted in dry-run before kubeguard enforced keep running through a
// node-image upgrade once their namespace enforces. The upgrade adds a surge node, cordons and drains
// each old node with the real `kubectl drain` (the eviction API, honouring PodDisruptionBudgets) and
// deletes it; every controller recreates its evicted pods elsewhere, as its own service account,
// which kubeguard warns about and never denies. New non-compliant workloads are still refused.
func TestNodeImageUpgradeKeepsLegacyWorkloadsRunning(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t, true)
	workloads, pdb := legacyWorkloads()

	objects := []runtime.Object{pdb, legacyCronJob()}
	for _, w := range workloads {
		objects = append(objects, w.obj)
	}
	res := kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, "legacy", objects...))
	require.Zero(t, res.ExitCode, "applying the legacy workloads in dry-run")
	// kubectl prints each distinct warning once, and short warnings name no path: every workload's are
	// the same.
	warned := dryRunWarnings(res)
	for _, v := range noncompliantViolations("spec.template.spec") {
		assert.True(t, slices.ContainsFunc(warned, v.warnedBy), "no dry-run warning of %s: %q", v.rule, warned)
	}
	waitSettled(t, ns, workloads, "in dry-run")

	res = kubectl(t, "label", "namespace", ns, framework.ModeLabel+"-")
	require.Zero(t, res.ExitCode, "switching the namespace to enforce")
	waitForEnforcement(t, ns)
	enforcedSince := time.Now()

	deniedBefore := admissionCount(t, `decision="denied"`)
	warnedBefore := admissionCount(t, `kind="Pod"`, `operation="CREATE"`, `decision="warned"`)
	floor := watchAvailability(ns, "legacy-web", 3)
	oldNodes := fakeNodes(t)
	require.NotEmpty(t, oldNodes)
	var newNodes []string
	for i, old := range oldNodes {
		surge := fmt.Sprintf("upgraded-%s-%d", ns, i+1)
		require.NoError(t, framework.AddNode(ctx, cluster.ControlPlane.Client, surge), "adding surge node %s", surge)
		newNodes = append(newNodes, surge)

		// --force: unmanaged pods other tests left on the node are deleted rather than block the drain.
		res := kubectl(t, "drain", old, "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=3m")
		require.Zero(t, res.ExitCode, "draining %s", old)
		assert.Contains(t, res.Stdout, "node/"+old+" drained")
		res = kubectl(t, "delete", "node", old)
		require.Zero(t, res.ExitCode, "deleting %s", old)

		waitSettled(t, ns, workloads, "after replacing "+old)
	}
	lowest := floor.Stop()
	assert.GreaterOrEqual(t, lowest, int32(2), "the PodDisruptionBudget allows one legacy-web pod down at a time")

	// Every pod now runs on an upgraded node, and was created after the namespace started enforcing,
	// but for the DaemonSet's pods of deleted nodes, which the pod garbage collector removes later.
	for _, p := range livePods(t, ns) {
		if slices.Contains(oldNodes, p.Spec.NodeName) && p.Labels["app"] == "legacy-agent" {
			continue
		}
		assert.Contains(t, newNodes, p.Spec.NodeName, "pod %s still on an old node", p.Name)
		assert.True(t, p.CreationTimestamp.After(enforcedSince.Add(-time.Second)), "pod %s predates the upgrade", p.Name)
	}

	// The CronJob's controller creates a Job on schedule, and the Job controller its pod, although
	// the template breaks every rule: both are the controllers' own service accounts.
	eventually(t, 2*time.Minute, "a Job from the CronJob scheduled after the switch, run to completion", func() (bool, string) {
		jobs, err := cluster.ControlPlane.Client.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err.Error()
		}
		var seen []string
		for _, j := range jobs.Items {
			if !slices.ContainsFunc(j.OwnerReferences, func(o metav1.OwnerReference) bool { return o.Kind == "CronJob" }) {
				continue
			}
			seen = append(seen, fmt.Sprintf("%s (created %s, %d succeeded)", j.Name, j.CreationTimestamp.Format(time.TimeOnly), j.Status.Succeeded))
			if j.CreationTimestamp.After(enforcedSince) && j.Status.Succeeded >= 1 {
				return true, ""
			}
		}
		return false, fmt.Sprintf("enforcing since %s; jobs: %v", enforcedSince.Format(time.TimeOnly), seen)
	})

	assert.Empty(t, webhookRefusals(t, ns), "a controller's pod or Job creation was refused by kubeguard")
	// kubeguard did judge the controllers' pods, in the enforcing namespace: warned, never denied.
	assert.Greater(t, admissionCount(t, `kind="Pod"`, `operation="CREATE"`, `decision="warned"`), warnedBefore,
		"kubeguard judged none of the recreated pods")
	assert.Equal(t, deniedBefore, admissionCount(t, `decision="denied"`), "kubeguard denied a request during the upgrade")

	// Enforcement still holds for people: a new non-compliant Deployment is refused at apply.
	deployments := workloads[0]
	require.Equal(t, "Deployment", deployments.kind)
	res = kubectl(t, "apply", "-n", ns, "-f", manifestFile(t, "new-web", withName(deployments.obj, "new-web")))
	assertDenied(t, res, "deployments.apps", "new-web", noncompliantViolations("spec.template.spec"))
	assertStored(t, ns, "deployments.apps", "new-web", false)
}

// withName returns a copy of a Deployment under another name.
func withName(obj runtime.Object, name string) runtime.Object {
	d := obj.(*appsv1.Deployment).DeepCopy()
	d.Name = name
	return d
}
