package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
)

// memorySource serves lists from memory, two objects a page, so that paging is exercised.
type memorySource map[schema.GroupResource][]string

func (s memorySource) List(_ context.Context, resource schema.GroupResource, namespace, token string) (*Page, error) {
	var items []json.RawMessage
	for _, item := range s[resource] {
		var m metadata
		if err := json.Unmarshal([]byte(item), &m); err != nil {
			return nil, err
		}
		if namespace == "" || m.Metadata.Namespace == namespace {
			items = append(items, json.RawMessage(item))
		}
	}
	start := 0
	if token != "" {
		fmt.Sscan(token, &start)
	}
	end := min(start+2, len(items))
	page := &Page{Items: items[start:end]}
	if end < len(items) {
		page.Continue = fmt.Sprint(end)
	}
	return page, nil
}

const privileged = `{"containers":[{"name":"app","securityContext":{"privileged":true}}]}`

// object is an object's JSON; owners are its owner references, comma-separated (controlledBy).
func object(ns, name, uid, owners, spec string) string {
	if owners != "" {
		owners = `,"ownerReferences":[` + owners + `]`
	}
	return `{"metadata":{"name":"` + name + `","namespace":"` + ns + `","uid":"` + uid + `"` + owners + `},"spec":` + spec + `}`
}

// controlledBy is an owner reference as a controller sets it on what it makes.
func controlledBy(apiVersion, kind, name, uid string) string {
	return `{"apiVersion":"` + apiVersion + `","kind":"` + kind + `","name":"` + name + `","uid":"` + uid + `","controller":true}`
}

func workloadObject(ns, name, uid, owners string) string {
	return object(ns, name, uid, owners, `{"template":{"spec":`+privileged+`}}`)
}

func TestRunAttributesControlledObjectsToTheirWorkload(t *testing.T) {
	src := memorySource{
		{Resource: "namespaces"}:                 {`{"metadata":{"name":"team","labels":{"kubeguard.io/mode":"dry-run"}}}`, `{"metadata":{"name":"kube-system"}}`},
		{Group: "apps", Resource: "deployments"}: {workloadObject("team", "web", "d1", "")},
		{Group: "apps", Resource: "replicasets"}: {
			workloadObject("team", "web-1", "rs1", controlledBy("apps/v1", "Deployment", "web", "d1")),
			workloadObject("team", "web-2", "rs2", controlledBy("apps/v1", "Deployment", "web", "d1")),
			workloadObject("team", "orphan", "rs3", ""),
		},
		{Resource: "pods"}: {
			object("team", "web-1-a", "p1", controlledBy("apps/v1", "ReplicaSet", "web-1", "rs1"), privileged),
			object("team", "web-1-b", "p2", controlledBy("apps/v1", "ReplicaSet", "web-1", "rs1"), privileged),
			object("team", "web-2-a", "p3", controlledBy("apps/v1", "ReplicaSet", "web-2", "rs2"), privileged),
			// Finished: neither counted for its workload nor exposed.
			strings.Replace(object("team", "web-2-b", "p7", controlledBy("apps/v1", "ReplicaSet", "web-2", "rs2"), privileged), `"spec"`, `"status":{"phase":"Succeeded"},"spec"`, 1),
			object("team", "orphan-a", "p4", controlledBy("apps/v1", "ReplicaSet", "orphan", "rs3"), privileged),
			object("team", "bare", "p5", "", privileged),
			object("kube-system", "etcd", "p6", "", privileged),
		},
	}
	r, err := Run(context.Background(), src, policy.Default(), Options{})
	require.NoError(t, err)

	type key struct{ kind, name string }
	pods := map[key]int{}
	for _, f := range r.Findings {
		if f.Rule == MetadataRule {
			// No NetworkPolicy: every pod can reach the instance metadata service; the uncontrolled
			// ones and the workloads are named.
			assert.Equal(t, judgement.Warned, f.Decision)
			assert.Equal(t, []string{"team", "team", "Namespace"}, []string{f.Namespace, f.Name, f.Kind})
			assert.Equal(t, 5, f.Pods)
			assert.Equal(t, "egress to 169.254.169.254:80", f.Field)
			assert.Equal(t, []string{"deployments.apps/web", "replicasets.apps/orphan", "pods/bare"}, f.Workloads)
			continue
		}
		assert.Equal(t, judgement.Denied, f.Decision)
		pods[key{f.Kind, f.Name}] = f.Pods
	}
	assert.Equal(t, map[key]int{
		{"Deployment", "web"}:    3,
		{"ReplicaSet", "orphan"}: 1,
		{"Pod", "bare"}:          0,
	}, pods)
	require.Len(t, r.Namespaces, 2)
	assert.Equal(t, Namespace{Name: "kube-system", Exempt: true, Rules: map[string]int{}}, *r.Namespaces[0])
	team := r.Namespaces[1]
	assert.Equal(t, "team", team.Name)
	assert.True(t, team.DryRunLabel, "the namespace's dry-run label")
	assert.Equal(t, []int{3, 3, 0}, []int{team.Judged, team.Denied, team.Warned})
	assert.Equal(t, 3, team.Rules["privileged"])
	assert.True(t, r.Denied())
	assertTextGolden(t, r)
}
