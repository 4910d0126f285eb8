package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/policy"
)

const (
	// withDebug adds a privileged container to privileged's.
	withDebug = `{"containers":[{"name":"app","securityContext":{"privileged":true}},{"name":"debug","securityContext":{"privileged":true}}]}`
	compliant = `{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"},"appArmorProfile":{"type":"RuntimeDefault"}},` +
		`"containers":[{"name":"app","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}`
)

// podLevel and privilegedApp make a pod spec whose only violations are the app container's.
const (
	podLevel      = `{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"},"appArmorProfile":{"type":"RuntimeDefault"}},"containers":[`
	privilegedApp = `{"name":"app","securityContext":{"privileged":true}}`
)

// hostPIDPrivileged is a pod spec that shares the node's process namespace from a privileged container.
const hostPIDPrivileged = `{"hostPID":true,"containers":[{"name":"app","securityContext":{"privileged":true}}]}`

func template(spec string) string { return `{"template":{"spec":` + spec + `}}` }

var (
	deploymentRef = controlledBy("apps/v1", "Deployment", "web", "d1")
	replicaSetRef = controlledBy("apps/v1", "ReplicaSet", "web-1", "rs1")
)

// podCounts runs an audit over src and returns, per object reported with a rule finding, the pods counted
// on it; an object with several findings must count the same pods on each.
func podCounts(t *testing.T, src memorySource) map[string]int {
	t.Helper()
	r, err := Run(context.Background(), src, policy.Default(), Options{})
	require.NoError(t, err)
	require.Empty(t, r.Errors)
	got := map[string]int{}
	for _, f := range r.Findings {
		if f.Rule == MetadataRule {
			continue
		}
		key := f.Namespace + "/" + f.Kind + "/" + f.Name
		if n, seen := got[key]; seen {
			assert.Equal(t, n, f.Pods, "pods counted on %s", key)
		}
		got[key] = f.Pods
	}
	return got
}

// TestAttributionNeedsAResolvableController starts from a privileged Deployment, its ReplicaSet and
// one pod of the same spec that it controls, and changes one thing about the pod per case: either the
// pod counts toward the Deployment's findings, or it is reported as itself.
func TestAttributionNeedsAResolvableController(t *testing.T) {
	many := func(ref string, n int) string { return strings.TrimSuffix(strings.Repeat(ref+",", n), ",") }
	notController := `{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-1","uid":"rs1","controller":false}`
	other := `{"apiVersion":"v1","kind":"ConfigMap","name":"web","uid":"c1"}`
	tests := []struct {
		name      string
		namespace string
		owners    string
		spec      string
		// attributed: counted toward the Deployment; otherwise reported as the Pod "p".
		attributed bool
	}{
		{name: "its ReplicaSet", owners: replicaSetRef, attributed: true},
		{name: "breaking less than the template", owners: replicaSetRef, spec: compliant, attributed: true},
		{name: "a sidecar the template's pod-level settings leave unprotected", owners: replicaSetRef, spec: `{"containers":[` +
			`{"name":"sidecar","securityContext":{"allowPrivilegeEscalation":false}},{"name":"app","securityContext":{"privileged":true}}]}`},
		{name: "among other owners", owners: other + "," + replicaSetRef + "," + notController, attributed: true},
		{name: "after ten thousand other owners", owners: many(other, 10000) + "," + replicaSetRef, attributed: true},

		{name: "breaking more than the template", owners: replicaSetRef, spec: withDebug},
		// The template leaves seccomp unset; Unconfined, set for the pod, is a weaker value of the same
		// setting, and hides behind the template no more than a new violation does.
		{name: "a pod-level value weaker than the template's", owners: replicaSetRef,
			spec: `{"securityContext":{"seccompProfile":{"type":"Unconfined"}},"containers":[` + privilegedApp + `]}`},
		{name: "no owner"},
		{name: "not a controller reference", owners: notController},
		{name: "the Deployment itself, which makes no pods", owners: deploymentRef},
		{name: "the ReplicaSet's UID under another name", owners: controlledBy("apps/v1", "ReplicaSet", "web-2", "rs1")},
		{name: "the ReplicaSet's name with another UID", owners: controlledBy("apps/v1", "ReplicaSet", "web-1", "rs9")},
		{name: "the Deployment's UID as a ReplicaSet", owners: controlledBy("apps/v1", "ReplicaSet", "web", "d1")},
		{name: "the ReplicaSet's UID in another group", owners: controlledBy("example.com/v1", "ReplicaSet", "web-1", "rs1")},
		{name: "the ReplicaSet's UID as another kind", owners: controlledBy("apps/v1", "StatefulSet", "web-1", "rs1")},
		{name: "an owner that does not exist", owners: controlledBy("apps/v1", "ReplicaSet", "gone", "gone")},
		{name: "an owner in another namespace", namespace: "other", owners: replicaSetRef},
		{name: "two controllers", owners: replicaSetRef + "," + replicaSetRef},
		{name: "ten thousand controllers", owners: many(replicaSetRef, 10000)},
		{name: "an empty UID", owners: controlledBy("apps/v1", "ReplicaSet", "web-1", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, spec := tt.namespace, tt.spec
			if ns == "" {
				ns = "team"
			}
			if spec == "" {
				spec = privileged
			}
			got := podCounts(t, memorySource{
				{Resource: "namespaces"}:                 {`{"metadata":{"name":"team"}}`, `{"metadata":{"name":"other"}}`},
				{Group: "apps", Resource: "deployments"}: {workloadObject("team", "web", "d1", "")},
				{Group: "apps", Resource: "replicasets"}: {workloadObject("team", "web-1", "rs1", deploymentRef)},
				{Resource: "pods"}:                       {object(ns, "p", "p1", tt.owners, spec)},
			})
			want := map[string]int{"team/Deployment/web": 0, ns + "/Pod/p": 0}
			if tt.attributed {
				want = map[string]int{"team/Deployment/web": 1}
			}
			assert.Equal(t, want, got)
		})
	}
}

// TestAttributionFollowsTheChain checks the links above a pod: a ReplicaSet or Job counts toward its
// workload only when it resolves to it and its template breaks nothing the workload's does not.
func TestAttributionFollowsTheChain(t *testing.T) {
	tests := []struct {
		name string
		src  memorySource
		want map[string]int
	}{
		{
			// The paused or stuck rollout: a compliant Deployment, its previous ReplicaSet still running a
			// privileged pod.
			name: "an old ReplicaSet of a compliant Deployment",
			src: memorySource{
				{Group: "apps", Resource: "deployments"}: {object("team", "web", "d1", "", template(compliant))},
				{Group: "apps", Resource: "replicasets"}: {
					object("team", "web-1", "rs1", deploymentRef, template(privileged)),
					object("team", "web-2", "rs2", deploymentRef, template(compliant)),
				},
				{Resource: "pods"}: {
					object("team", "web-1-a", "p1", replicaSetRef, privileged),
					object("team", "web-1-b", "p2", replicaSetRef, privileged),
					object("team", "web-2-a", "p3", controlledBy("apps/v1", "ReplicaSet", "web-2", "rs2"), compliant),
				},
			},
			want: map[string]int{"team/ReplicaSet/web-1": 2},
		},
		{
			// Owner spoofing: a privileged hostPID pod naming a compliant Deployment's ReplicaSet, with a
			// made-up UID or with the real one, is reported as itself either way.
			name: "a privileged hostPID pod claiming a compliant Deployment's ReplicaSet",
			src: memorySource{
				{Group: "apps", Resource: "deployments"}: {object("team", "web", "d1", "", template(compliant))},
				{Group: "apps", Resource: "replicasets"}: {object("team", "web-1", "rs1", deploymentRef, template(compliant))},
				{Resource: "pods"}: {
					object("team", "spoof-uid", "p1", controlledBy("apps/v1", "ReplicaSet", "web-1", "rs9"), hostPIDPrivileged),
					object("team", "spoof-spec", "p2", replicaSetRef, hostPIDPrivileged),
					object("team", "web-1-a", "p3", replicaSetRef, compliant),
				},
			},
			want: map[string]int{"team/Pod/spoof-uid": 0, "team/Pod/spoof-spec": 0},
		},
		{
			name: "a ReplicaSet that breaks more than its Deployment",
			src: memorySource{
				{Group: "apps", Resource: "deployments"}: {workloadObject("team", "web", "d1", "")},
				{Group: "apps", Resource: "replicasets"}: {object("team", "web-1", "rs1", deploymentRef, template(withDebug))},
				{Resource: "pods"}:                       {object("team", "web-1-a", "p1", replicaSetRef, withDebug)},
			},
			want: map[string]int{"team/Deployment/web": 0, "team/ReplicaSet/web-1": 1},
		},
		{
			name: "a ReplicaSet that claims a Deployment by UID only",
			src: memorySource{
				{Group: "apps", Resource: "deployments"}: {workloadObject("team", "web", "d1", "")},
				{Group: "apps", Resource: "replicasets"}: {workloadObject("team", "web-1", "rs1", controlledBy("apps/v1", "Deployment", "api", "d1"))},
				{Resource: "pods"}:                       {object("team", "web-1-a", "p1", replicaSetRef, privileged)},
			},
			want: map[string]int{"team/Deployment/web": 0, "team/ReplicaSet/web-1": 1},
		},
		{
			name: "a Job of a CronJob, and its pod",
			src: memorySource{
				{Group: "batch", Resource: "cronjobs"}: {object("team", "nightly", "c1", "", `{"jobTemplate":{"spec":`+template(privileged)+`}}`)},
				{Group: "batch", Resource: "jobs"}: {
					object("team", "nightly-1", "j1", controlledBy("batch/v1", "CronJob", "nightly", "c1"), template(privileged)),
					object("team", "nightly-2", "j2", controlledBy("batch/v1", "CronJob", "nightly", "c1"), template(withDebug)),
				},
				{Resource: "pods"}: {
					object("team", "nightly-1-a", "p1", controlledBy("batch/v1", "Job", "nightly-1", "j1"), privileged),
					object("team", "nightly-2-a", "p2", controlledBy("batch/v1", "Job", "nightly-2", "j2"), withDebug),
				},
			},
			want: map[string]int{"team/CronJob/nightly": 1, "team/Job/nightly-2": 1},
		},
		{
			// A compliant sidecar injected before the template's container moves its violations to another
			// index, and adds none.
			name: "a pod with an injected sidecar",
			src: memorySource{
				{Group: "apps", Resource: "deployments"}: {object("team", "web", "d1", "", template(podLevel+privilegedApp+`]}`))},
				{Group: "apps", Resource: "replicasets"}: {object("team", "web-1", "rs1", deploymentRef, template(podLevel+privilegedApp+`]}`))},
				{Resource: "pods"}: {object("team", "web-1-a", "p1", replicaSetRef,
					podLevel+`{"name":"sidecar","securityContext":{"allowPrivilegeEscalation":false}},`+privilegedApp+`]}`)},
			},
			want: map[string]int{"team/Deployment/web": 1},
		},
		{
			// Controllers are met before what they control, so a cycle is never followed: each object
			// claims one met earlier or is judged on its own.
			name: "a cycle of references",
			src: memorySource{
				{Group: "apps", Resource: "deployments"}: {workloadObject("team", "web", "d1", replicaSetRef)},
				{Group: "apps", Resource: "replicasets"}: {
					workloadObject("team", "web-1", "rs1", controlledBy("apps/v1", "ReplicaSet", "web-2", "rs2")),
					workloadObject("team", "web-2", "rs2", replicaSetRef),
				},
			},
			want: map[string]int{"team/Deployment/web": 0, "team/ReplicaSet/web-1": 0, "team/ReplicaSet/web-2": 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.src[schema.GroupResource{Resource: "namespaces"}] = []string{`{"metadata":{"name":"team"}}`}
			assert.Equal(t, tt.want, podCounts(t, tt.src))
		})
	}
}
