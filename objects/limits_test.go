package objects_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/objects"
)

// Of the annotations only the AppArmor ones are kept: the others can fill a whole request and no rule reads
// them. Duplicate keys and a later null behave as the API server reads them.
func TestOnlyAppArmorAnnotationsAreKept(t *testing.T) {
	var many strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&many, `"example.com/note-%d": "%s",`, i, strings.Repeat("n", 50))
	}
	tests := []struct {
		name        string
		annotations string
		want        map[string]string
	}{
		{
			name:        "mixed",
			annotations: `{"team": "payments", "container.apparmor.security.beta.kubernetes.io/web": "runtime/default", "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}`,
			want:        map[string]string{"container.apparmor.security.beta.kubernetes.io/web": "runtime/default"},
		},
		{
			name:        "thousands of others",
			annotations: `{` + many.String() + `"container.apparmor.security.beta.kubernetes.io/web": "unconfined"}`,
			want:        map[string]string{"container.apparmor.security.beta.kubernetes.io/web": "unconfined"},
		},
		{name: "none of them", annotations: `{"team": "payments"}`},
		{name: "null", annotations: `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, err := decode(lookupKind(t, "Pod"), []byte(`{"metadata": {"name": "web", "annotations": `+tt.annotations+`}, "spec": {"containers": [{"name": "web"}]}}`))
			require.NoError(t, err)
			if tt.want == nil {
				assert.Empty(t, obj.Pod.Annotations)
			} else {
				assert.Equal(t, tt.want, obj.Pod.Annotations)
			}
		})
	}

	t.Run("a duplicate annotations key adds to the first", func(t *testing.T) {
		obj, err := decode(lookupKind(t, "Pod"), []byte(`{"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "unconfined"},
			"annotations": {"container.apparmor.security.beta.kubernetes.io/b": "runtime/default"}}}`))
		require.NoError(t, err)
		assert.Equal(t, map[string]string{
			"container.apparmor.security.beta.kubernetes.io/a": "unconfined",
			"container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
		}, obj.Pod.Annotations)
	})
	t.Run("an AppArmor annotation that is not a string", func(t *testing.T) {
		_, err := decode(lookupKind(t, "Pod"), []byte(`{"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/a": 1}}}`))
		assert.ErrorContains(t, err, "must be a string")
	})
}

// What one document may make kubeguard hold is bounded; over a limit, it cannot be read.
func TestLimits(t *testing.T) {
	list := func(n int, item string) string { return strings.TrimSuffix(strings.Repeat(item+",", n), ",") }
	apparmor := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `"container.apparmor.security.beta.kubernetes.io/c%d": "runtime/default",`, i)
		}
		return strings.TrimSuffix(b.String(), ",")
	}
	seccomp := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `"container.seccomp.security.alpha.kubernetes.io/c%d": "runtime/default",`, i)
		}
		return strings.TrimSuffix(b.String(), ",")
	}
	tests := []struct {
		name, kind, json string
		err              string
	}{
		{name: "containers at the limit", kind: "Deployment", json: `{"spec": {"template": {"spec": {"initContainers": [` + list(1000, `{}`) + `], "containers": [` + list(1000, `{}`) + `]}}}}`},
		{name: "containers over the limit", kind: "Deployment", json: `{"spec": {"template": {"spec": {"initContainers": [` + list(1000, `{}`) + `], "containers": [` + list(1001, `{}`) + `]}}}}`, err: "more than 2000 containers"},
		{name: "subjects at the limit", kind: "RoleBinding", json: `{"subjects": [` + list(objects.MaxSubjects, `{"kind": "Group", "name": "g"}`) + `]}`},
		{name: "subjects over the limit", kind: "RoleBinding", json: `{"subjects": [` + list(objects.MaxSubjects+1, `{"kind": "Group", "name": "g"}`) + `]}`, err: "more than 20000 subjects"},
		{name: "AppArmor annotations at the limit", kind: "Pod", json: `{"metadata": {"annotations": {` + apparmor(objects.MaxAppArmorAnnotations) + `}}}`},
		{name: "AppArmor annotations over the limit", kind: "Pod", json: `{"metadata": {"annotations": {` + apparmor(objects.MaxAppArmorAnnotations+1) + `}}}`, err: "more than 2000 AppArmor annotations"},
		{name: "seccomp annotations at the limit", kind: "Pod", json: `{"metadata": {"annotations": {` + seccomp(objects.MaxSeccompAnnotations) + `}}}`},
		{name: "seccomp annotations over the limit", kind: "Pod", json: `{"metadata": {"annotations": {` + seccomp(objects.MaxSeccompAnnotations+1) + `}}}`, err: "more than 2001 seccomp annotations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(lookupKind(t, tt.kind), []byte(tt.json))
			if tt.err == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tt.err)
			}
		})
	}

	// Each decoding counts afresh.
	for range 3 {
		_, err := decode(lookupKind(t, "Deployment"), []byte(`{"spec": {"template": {"spec": {"containers": [`+list(objects.MaxContainers, `{}`)+`]}}}}`))
		assert.NoError(t, err)
	}
}
