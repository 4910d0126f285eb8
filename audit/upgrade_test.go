package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
)

// fakeAPIServer answers with a fixed version and metrics.
type fakeAPIServer struct {
	version string
	metrics string
	err     error
}

func (s fakeAPIServer) Version(context.Context) (string, error) { return s.version, s.err }
func (s fakeAPIServer) Metrics(context.Context) ([]byte, error) { return []byte(s.metrics), s.err }

var (
	pods         = schema.GroupResource{Resource: "pods"}
	deployments  = schema.GroupResource{Group: "apps", Resource: "deployments"}
	replicaSets  = schema.GroupResource{Group: "apps", Resource: "replicasets"}
	hpas         = schema.GroupResource{Group: "autoscaling", Resource: "horizontalpodautoscalers"}
	budgets      = schema.GroupResource{Group: "policy", Resource: "poddisruptionbudgets"}
	namespaceRes = schema.GroupResource{Resource: "namespaces"}
)

// deployment, replicaSet and rsRef are Deployment app with its ReplicaSet, and a controller reference to
// that ReplicaSet as the ReplicaSet controller writes it on its pods.
func deployment(app string, replicas int) string {
	return fmt.Sprintf(`{"metadata":{"name":%q,"namespace":"shop","uid":"d-%s"},"spec":{"replicas":%d,"selector":{"matchLabels":{"app":%q}}}}`, app, app, replicas, app)
}

func replicaSet(app string) string {
	return fmt.Sprintf(`{"metadata":{"name":"%s-7c9","namespace":"shop","uid":"rs-%s","ownerReferences":[%s]},"spec":{"replicas":1,"selector":{"matchLabels":{"app":%q}}}}`,
		app, app, controlledBy("apps/v1", "Deployment", app, "d-"+app), app)
}

func rsRef(app string) string { return controlledBy("apps/v1", "ReplicaSet", app+"-7c9", "rs-"+app) }

// runningPod is a pod labelled app=app on node, with the owner references given ("" for none).
func runningPod(ns, name, app, owners, node string) string {
	if owners != "" {
		owners = `,"ownerReferences":[` + owners + `]`
	}
	return fmt.Sprintf(`{"metadata":{"name":%q,"namespace":%q,"labels":{"app":%q}%s},"spec":{"nodeName":%q},"status":{"phase":"Running"}}`, name, ns, app, owners, node)
}

func pdb(name, app, budget, status string) string {
	if status == "" {
		status = "{}"
	}
	return fmt.Sprintf(`{"metadata":{"name":%q,"namespace":"shop"},"spec":{"selector":{"matchLabels":{"app":%q}},%s},"status":%s}`, name, app, budget, status)
}

// shop is a namespace with Deployment web (2 replicas on two nodes) and the budgets given.
func shop(pdbs ...string) memorySource {
	return memorySource{
		namespaceRes: {`{"metadata":{"name":"shop"}}`, `{"metadata":{"name":"kube-system"}}`},
		deployments:  {deployment("web", 2)},
		replicaSets:  {replicaSet("web")},
		pods: {
			runningPod("shop", "web-1", "web", rsRef("web"), "node-b"),
			runningPod("shop", "web-2", "web", rsRef("web"), "node-a"),
		},
		budgets: pdbs,
	}
}

func runUpgrade(t *testing.T, src memorySource, server fakeAPIServer, opts UpgradeOptions) *Report {
	t.Helper()
	if server.version == "" {
		server.version = "v1.36.3"
	}
	r, err := RunUpgrade(t.Context(), src, server, policy.Default(), opts)
	require.NoError(t, err)
	return r
}

func TestDrainBlocked(t *testing.T) {
	// blocked is the finding on budget web of shop, about field, which covers Deployment web and blocks
	// the drain of both its nodes.
	blocked := func(field string) []found {
		return []found{{judgement.Denied, "drain-blocked", "shop", "PodDisruptionBudget", "web", field,
			[]string{"node-a", "node-b"}, []string{"deployments.apps/web"}}}
	}
	tests := []struct {
		name string
		src  memorySource
		want []found
	}{
		{name: "minAvailable below the replicas", src: shop(pdb("web", "web", `"minAvailable":1`, ""))},
		{name: "maxUnavailable 1", src: shop(pdb("web", "web", `"maxUnavailable":1`, ""))},
		{name: "minAvailable 50%", src: shop(pdb("web", "web", `"minAvailable":"50%"`, ""))},
		{
			name: "minAvailable equal to the replicas",
			src:  shop(pdb("web", "web", `"minAvailable":2`, "")),
			want: blocked("spec.minAvailable"),
		},
		{
			name: "a percentage rounded up",
			src:  shop(pdb("web", "web", `"minAvailable":"51%"`, "")),
			want: blocked("spec.minAvailable"),
		},
		{
			name: "maxUnavailable 0%",
			src:  shop(pdb("web", "web", `"maxUnavailable":"0%"`, "")),
			want: blocked("spec.maxUnavailable"),
		},
		{
			name: "the HPA minimum counts, not today's replicas",
			src: func() memorySource {
				s := shop(pdb("web", "web", `"minAvailable":1`, ""))
				s[hpas] = []string{`{"metadata":{"name":"web","namespace":"shop"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":1}}`}
				return s
			}(),
			want: blocked("spec.minAvailable"),
		},
		{
			name: "the disruption controller's verdict with every pod healthy",
			src:  shop(pdb("web", "web", `"minAvailable":1`, `{"disruptionsAllowed":0,"currentHealthy":2,"expectedPods":2}`)),
			want: blocked("status.disruptionsAllowed"),
		},
		{
			name: "pods not healthy block the drain until they are",
			src:  shop(pdb("web", "web", `"minAvailable":1`, `{"disruptionsAllowed":0,"currentHealthy":1,"desiredHealthy":1,"expectedPods":2}`)),
			want: blocked("status.disruptionsAllowed"),
		},
		{
			name: "a status of an earlier generation of the budget",
			src: shop(strings.Replace(pdb("web", "web", `"minAvailable":1`, `{"observedGeneration":1,"disruptionsAllowed":0,"currentHealthy":1,"desiredHealthy":1,"expectedPods":2}`),
				`"namespace":"shop"`, `"namespace":"shop","generation":2`, 1)),
		},
		{
			name: "a status that counts no pod yet",
			src:  shop(pdb("web", "web", `"minAvailable":1`, `{"disruptionsAllowed":0,"currentHealthy":0,"expectedPods":0}`)),
		},
		{
			name: "a status written by an attacker with negative counts",
			src:  shop(pdb("web", "web", `"minAvailable":1`, `{"disruptionsAllowed":0,"currentHealthy":-5,"desiredHealthy":-1,"expectedPods":2}`)),
			want: blocked("status.disruptionsAllowed"),
		},
		{name: "no pod selected", src: shop(pdb("web", "api", `"minAvailable":5`, ""))},
		{
			name: "a Deployment scaled to zero whose pods are still going",
			src: func() memorySource {
				s := shop(pdb("web", "web", `"minAvailable":1`, ""))
				s[deployments] = []string{deployment("web", 0)}
				return s
			}(),
		},
		{
			name: "a budget of a namespace the policy exempts",
			src: func() memorySource {
				s := shop()
				s[budgets] = []string{`{"metadata":{"name":"dns","namespace":"kube-system"},"spec":{"selector":{},"maxUnavailable":0}}`}
				s[pods] = append(s[pods], runningPod("kube-system", "dns", "dns", rsRef("dns"), "node-a"))
				return s
			}(),
		},
		// Hostile or invalid budgets are skipped, never guessed at.
		{name: "no selector selects nothing", src: shop(`{"metadata":{"name":"x","namespace":"shop"},"spec":{"maxUnavailable":0}}`)},
		{name: "an invalid selector", src: shop(pdb("x", "web", `"maxUnavailable":0,"selector":{"matchExpressions":[{"key":"app","operator":"Near"}]}`, ""))},
		{name: "a budget that is not a percentage", src: shop(pdb("x", "web", `"minAvailable":"all"`, ""))},
		{name: "an overflowing percentage", src: shop(pdb("x", "web", `"maxUnavailable":"99999999999999999999%"`, ""))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runUpgrade(t, tt.src, fakeAPIServer{}, UpgradeOptions{})
			assert.Equal(t, tt.want, findingsOf(r))
			assert.Equal(t, len(tt.want) > 0, r.Denied(), "a blocked drain fails the audit")
			if len(tt.want) > 0 {
				assertTextGolden(t, r)
			}
		})
	}
}

func TestDrainBlockedNamesAFewNodes(t *testing.T) {
	src := shop(pdb("web", "web", `"maxUnavailable":0`, ""))
	src[deployments] = []string{deployment("web", 8)}
	src[pods] = nil
	for i := range 8 {
		src[pods] = append(src[pods], runningPod("shop", fmt.Sprint("web-", i), "web", rsRef("web"), fmt.Sprint("node-", i)))
	}
	r := runUpgrade(t, src, fakeAPIServer{}, UpgradeOptions{})
	require.Len(t, r.Findings, 1)
	// Every node is in the finding; the message names the first few and counts the rest (the golden).
	var nodes []string
	for i := range 8 {
		nodes = append(nodes, fmt.Sprint("node-", i))
	}
	assert.Equal(t, nodes, r.Findings[0].Nodes)
	assertTextGolden(t, r)
}

// unmanaged is the finding for a running pod of shop on node-a that no controller would recreate.
func unmanaged(name string) found {
	return found{judgement.Warned, "unmanaged-pod", "shop", "Pod", name, "metadata.ownerReferences", []string{"node-a"}, nil}
}

func TestUnmanagedPod(t *testing.T) {
	src := shop()
	src[pods] = append(src[pods],
		runningPod("shop", "debug", "debug", "", "node-a"),
		runningPod("kube-system", "static", "x", "", "node-a"),
		`{"metadata":{"name":"done","namespace":"shop"},"spec":{"nodeName":"node-a"},"status":{"phase":"Succeeded"}}`,
		`{"metadata":{"name":"pending","namespace":"shop"},"status":{"phase":"Pending"}}`,
		runningPod("shop", "orphan-of-a-deleted-owner", "x", rsRef("gone"), "node-a"),
	)
	r := runUpgrade(t, src, fakeAPIServer{}, UpgradeOptions{})
	assert.Equal(t, []found{unmanaged("debug"), unmanaged("orphan-of-a-deleted-owner")}, findingsOf(r))
	assert.False(t, r.Denied(), "an unmanaged pod warns")
	assertTextGolden(t, r)
	for _, ns := range r.Namespaces {
		if ns.Name == "shop" {
			assert.Equal(t, map[string]int{"unmanaged-pod": 2}, ns.Rules)
			assert.Equal(t, 2, ns.Warned)
		}
	}
}

// TestUnmanagedPodCannotHide is a tenant who may create pods in shop and forges owner references so
// that a pod no controller would recreate passes for managed: kubectl drain would evict it without
// --force and it would be lost. Every forgery is reported; only the pods the ReplicaSet really
// selects, and the ones it would replace, pass.
func TestUnmanagedPodCannotHide(t *testing.T) {
	ref := func(apiVersion, kind, name, uid string) string { return controlledBy(apiVersion, kind, name, uid) }
	owner := func(ref string, controller bool) string {
		if controller {
			return ref
		}
		return strings.Replace(ref, `"controller":true`, `"controller":false`, 1)
	}
	tests := []struct {
		name, labels, owners string
		managed              bool
	}{
		{name: "the ReplicaSet's own pod", labels: "web", owners: rsRef("web"), managed: true},
		{name: "the real ReplicaSet's UID with labels its selector does not select", labels: "hidden", owners: rsRef("web")},
		{name: "the real UID under another name", labels: "web", owners: ref("apps/v1", "ReplicaSet", "other", "rs-web")},
		{name: "the real UID as another kind", labels: "web", owners: ref("apps/v1", "StatefulSet", "web-7c9", "rs-web")},
		{name: "the real UID in another group", labels: "web", owners: ref("example.com/v1", "ReplicaSet", "web-7c9", "rs-web")},
		{name: "the Deployment, which makes no pods itself", labels: "web", owners: ref("apps/v1", "Deployment", "web", "d-web")},
		{name: "a ReplicaSet of another namespace", labels: "web", owners: ref("apps/v1", "ReplicaSet", "api-7c9", "rs-api")},
		{name: "two controller references", labels: "web", owners: rsRef("web") + "," + ref("apps/v1", "ReplicaSet", "web-7c9", "rs-web")},
		{name: "an owner that is not its controller", labels: "web", owners: owner(rsRef("web"), false)},
		{name: "a reference to itself", labels: "web", owners: ref("v1", "Pod", "p", "p-uid")},
		{name: "no UID", labels: "web", owners: ref("apps/v1", "ReplicaSet", "web-7c9", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := shop()
			src[replicaSets] = append(src[replicaSets], strings.ReplaceAll(replicaSet("api"), `"namespace":"shop"`, `"namespace":"other"`))
			src[namespaceRes] = append(src[namespaceRes], `{"metadata":{"name":"other"}}`)
			pod := fmt.Sprintf(`{"metadata":{"name":"p","namespace":"shop","uid":"p-uid","labels":{"app":%q},"ownerReferences":[%s]},"spec":{"nodeName":"node-a"},"status":{"phase":"Running"}}`,
				tt.labels, tt.owners)
			src[pods] = append(src[pods], pod)
			var want []found
			if !tt.managed {
				want = []found{unmanaged("p")}
			}
			assert.Equal(t, want, findingsOf(runUpgrade(t, src, fakeAPIServer{}, UpgradeOptions{})), "--upgrade")

			// The full audit resolves pods the same way, in its one listing.
			full, err := Run(t.Context(), src, policy.Default(), Options{APIServer: fakeAPIServer{version: "v1.36.0"}})
			require.NoError(t, err)
			var got []found
			for _, f := range findingsOf(full) {
				if f.Rule == "unmanaged-pod" {
					got = append(got, f)
				}
			}
			assert.Equal(t, want, got, "the full audit")
		})
	}
}

const deprecatedMetrics = `# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.
# TYPE apiserver_requested_deprecated_apis gauge
apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1
apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="prioritylevelconfigurations",subresource="",version="v1beta3"} 1
apiserver_requested_deprecated_apis{group="storage.k8s.io",removed_release="1.37",resource="volumeattributesclasses",subresource="",version="v1beta1"} 1
apiserver_requested_deprecated_apis{group="example.com",removed_release="",resource="widgets",subresource="",version="v1alpha1"} 1
apiserver_requested_deprecated_apis{group="example.com",removed_release="soon",resource="gadgets",subresource="",version="v1alpha1"} 1
# HELP apiserver_requested_deprecated_apis_other Another family whose name starts alike.
# TYPE apiserver_requested_deprecated_apis_other gauge
apiserver_requested_deprecated_apis_other{group="example.com",removed_release="1.0",resource="things",subresource="",version="v1"} 1
# HELP apiserver_request_total [STABLE] Counter of apiserver requests.
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",verb="GET"} 12
`

func TestRemovedAPIInUse(t *testing.T) {
	// Each group version a client requested and the target removes is one finding on its APIService.
	removed := func(service, apiVersion string) found {
		return found{judgement.Denied, "removed-api-in-use", "", "APIService", service, apiVersion, nil, nil}
	}
	flowcontrol := removed("v1beta3.flowcontrol.apiserver.k8s.io", "flowcontrol.apiserver.k8s.io/v1beta3")
	storage := removed("v1beta1.storage.k8s.io", "storage.k8s.io/v1beta1")
	tests := []struct {
		name, version, target string
		want                  []found
	}{
		{name: "the next minor by default", version: "v1.36.3", want: []found{flowcontrol, storage}},
		{name: "a target before the removal", version: "v1.31.0", want: []found{flowcontrol}},
		{name: "given target", version: "v1.30.0", target: "1.37", want: []found{flowcontrol, storage}},
		{name: "given target before both", version: "v1.36.0", target: "v1.31", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runUpgrade(t, shop(), fakeAPIServer{version: tt.version, metrics: deprecatedMetrics}, UpgradeOptions{TargetVersion: tt.target})
			assert.Equal(t, tt.want, findingsOf(r))
			if len(tt.want) > 0 {
				// The golden says which resources were requested and which version the upgrade goes to.
				assertTextGolden(t, r)
			}
		})
	}

	// One namespace's audit does not speak for the cluster's clients.
	r := runUpgrade(t, shop(), fakeAPIServer{metrics: deprecatedMetrics}, UpgradeOptions{Namespace: "shop"})
	assert.Empty(t, r.Findings)
}

func TestUpgradeAuditRefusesWhatItCannotRead(t *testing.T) {
	_, err := RunUpgrade(t.Context(), shop(), fakeAPIServer{version: "v1.36.0", metrics: "apiserver_requested_deprecated_apis{group=\"x\" 1\n"}, policy.Default(), UpgradeOptions{})
	assert.ErrorContains(t, err, "metrics")

	_, err = RunUpgrade(t.Context(), shop(), fakeAPIServer{err: errors.New("forbidden: /metrics")}, policy.Default(), UpgradeOptions{})
	assert.ErrorContains(t, err, "forbidden")

	for _, bad := range []string{"latest", "1", "1.x", "-1.2", "1.-2"} {
		_, err = RunUpgrade(t.Context(), shop(), fakeAPIServer{version: "v1.36.0", metrics: deprecatedMetrics}, policy.Default(), UpgradeOptions{TargetVersion: bad})
		assert.ErrorContains(t, err, "is not a Kubernetes version", bad)
	}
}

// The ordinary audit judges PodDisruptionBudgets like every judged kind.
func TestRunJudgesDisruptionBudgets(t *testing.T) {
	src := memorySource{
		namespaceRes: {`{"metadata":{"name":"shop"}}`},
		budgets:      {pdb("web", "web", `"maxUnavailable":0`, ""), pdb("api", "api", `"maxUnavailable":1`, "")},
	}
	r, err := Run(t.Context(), src, policy.Default(), Options{})
	require.NoError(t, err)
	require.Len(t, r.Findings, 1)
	f := r.Findings[0]
	assert.Equal(t, []string{"pdb-allows-disruption", "shop", "PodDisruptionBudget", "web"}, []string{f.Rule, f.Namespace, f.Kind, f.Name})
	assert.Equal(t, judgement.Denied, f.Decision)
}
