package objects

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// review holds Documents the way an AdmissionReview does, for the envelope's plain and awkward cases.
type review struct {
	APIVersion string `json:"apiVersion"`
	Request    *struct {
		UID  string `json:"uid"`
		Kind struct {
			Group, Version, Kind string
		} `json:"kind"`
		UserInfo struct {
			Username string   `json:"username"`
			Groups   []string `json:"groups"`
		} `json:"userInfo"`
		Options   Unread   `json:"options"`
		Object    Document `json:"object"`
		OldObject Document `json:"oldObject"`
	} `json:"request"`
}

// fastSeeds are the corpus (awkward on purpose: duplicate keys, nulls, escapes, invalid UTF-8, wrong-case
// names), the benchmark's reviews, and inputs at the edges of what the fast path takes.
func fastSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, pattern := range []string{"testdata/corpus/*.json", "../bench/webhook/testdata/*.json"} {
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		require.NotEmpty(t, files, pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			seeds = append(seeds, data)
		}
	}
	pod := func(spec string) []byte { return []byte(`{"metadata": {"name": "web"}, "spec": ` + spec + `}`) }
	for _, n := range []string{"2147483647", "2147483648", "-2147483648", "-2147483649", "0", "-0", "1.0", "1e2", `"80"`, "99999999999999999999", "null", "true"} {
		seeds = append(seeds, pod(`{"containers": [{"name": "c", "ports": [{"hostPort": `+n+`}]}]}`))
		seeds = append(seeds, pod(`{"securityContext": {"runAsUser": `+n+`}}`))
	}
	for _, n := range []string{"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809"} {
		seeds = append(seeds, pod(`{"securityContext": {"runAsUser": `+n+`}}`))
	}
	seeds = append(seeds,
		pod(`{"containers": [{"name": "c\u00e9"}, {"name": "c\\"}, {"name": "\u0063"}, {"name": "é"}]}`),
		pod(`{"containers": [{"n\u0061me": "c", "securityContext": {"privileged": true}}]}`),
		pod(`{"containers": [{"name": "c", "securityContext": {"privileged": true}, "securityContext": {}}]}`),
		pod(`{"containers": null, "volumes": [], "initContainers": [null, {}], "hostUsers": null, "os": null}`),
		pod(`{"containers": [{"name": "c", "securityContext": null, "ports": null}]}`),
		pod(`{"securityContext": {"seccompProfile": null, "sysctls": [{"name": "a", "value": "b"}], "supplementalGroups": [1, 2]}}`),
		pod(`{"containers": {"name": "c"}}`),
		pod(`{"hostNetwork": "true"}`),
		pod(`{"hostNetwork": true, "hostNetwork": false}`),
		pod(`"spec"`),
		[]byte(`{"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/c": "unconfined", "other": {"deep": [1]}}}, "spec": {}}`),
		[]byte(`{"metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": 1}}}`),
		[]byte(`{"metadata": {"annotations": null, "name": null}}`),
		[]byte(`{"spec": {"minAvailable": 1, "maxUnavailable": "50%"}}`),
		[]byte(`{"subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}], "roleRef": {"name": "admin"}}`),
		[]byte(`{"metadata": {}} {}`),
		[]byte(`{"metadata": {}}   `),
		[]byte(`{"request": null}`),
		[]byte(`{"request": {"uid": "u", "object": null, "oldObject": {"spec": {"hostPID": true}}}}`),
		[]byte(`{"request": {"uid": "u", "options": {"a": [[[{}]]]}, "object": {"spec": {"containers": [{"name": "c"}]}}}}`),
		[]byte(`{"request": {"uid": "u", "options": {"a": [}}}`),
		[]byte(`{"metadata": {"managedFields": `+strings.Repeat("[", 10001)+strings.Repeat("]", 10001)+`}}`),
		[]byte(`{"spec": {"containers": [`+strings.Repeat(`{},`, MaxContainers)+`{}]}}`),
		[]byte(`{"spec": {"containers": [`+strings.Repeat(`{},`, MaxContainers-1)+`{}]}}`),
		[]byte(`[]`), []byte(``), []byte(`null`), []byte(`{`),
	)
	return seeds
}

// assertFastAgrees decodes data both ways into a fresh T: whenever the fast path takes an input, the JSON
// package decodes it without error to the very same value; when it declines, it leaves the value zero.
func assertFastAgrees[T any](t *testing.T, data []byte) {
	t.Helper()
	var fast, slow T
	took := fastUnmarshal(data, &fast)
	err := unmarshalJSON(data, &slow)
	if !took {
		assert.True(t, reflect.ValueOf(fast).IsZero(), "a declined input leaves the value zero")
		return
	}
	require.NoError(t, err, "the fast path took an input the JSON package refuses: %s", data)
	assert.True(t, reflect.DeepEqual(slow, fast), "the fast path decoded differently:\n%+v\nthe JSON package:\n%+v", fast, slow)
}

func FuzzFastPathAgrees(f *testing.F) {
	for _, seed := range fastSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		assertFastAgrees[Document](t, data)
		assertFastAgrees[review](t, data)
	})
}

// The inputs the API server sends, the benchmark's reviews, take the fast path: a change that made it
// decline them would double what every request costs, with no test failing but the benchmarks.
func TestFastPathTakesTheAPIServersReviews(t *testing.T) {
	files, err := filepath.Glob("../bench/webhook/testdata/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		var r review
		assert.True(t, fastUnmarshal(data, &r), "%s takes the fast path", file)
		assert.NotEmpty(t, r.Request.UID, file)
	}
}

// The plan of every judged kind's Document is complete: a layout the fast path did not follow would make
// it decline every object.
func TestPlansFollowTheDocument(t *testing.T) {
	p := planOf(reflect.TypeFor[Document]())
	require.Equal(t, structKind, p.kind)
	for _, name := range []string{"metadata", "spec", "template", "subjects", "roleRef", "status"} {
		assert.Contains(t, p.fields, name)
	}
	spec := p.fields["spec"].plan
	for _, name := range []string{"containers", "initContainers", "ephemeralContainers", "securityContext", "volumes", "hostUsers", "template", "jobTemplate", "minAvailable"} {
		assert.Contains(t, spec.fields, name)
	}
	assert.Equal(t, countedContainer, spec.fields["containers"].plan.elem.counted)
	assert.Equal(t, countedSubject, p.fields["subjects"].plan.elem.counted)
	assert.Equal(t, declined, spec.fields["minAvailable"].plan.kind, "IntOrString decodes itself")
}

// BenchmarkDecodeReview decodes the benchmark's reviews, by the fast path and by the JSON package.
func BenchmarkDecodeReview(b *testing.B) {
	for _, name := range []string{"pod-compliant", "deployment-compliant", "rolebinding-noncompliant"} {
		data, err := os.ReadFile(filepath.Join("..", "bench", "webhook", "testdata", name+".json"))
		require.NoError(b, err)
		for _, way := range []struct {
			name   string
			decode func([]byte, any) error
		}{{"fast", Unmarshal}, {"json", unmarshalJSON}} {
			b.Run(name+"/"+way.name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					var r review
					if err := way.decode(data, &r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// What the scanner leaves to the JSON package, an escaped surrogate or nesting deeper than it follows, an
// object can hold in a member nobody reads: such an object is declined by the fast path and still decoded,
// with the same members, by the JSON package, not refused.
func TestDeclinedObjectsAreStillRead(t *testing.T) {
	spec := `"spec": {"containers": [{"name": "web", "securityContext": {"privileged": true}}]}`
	for name, unread := range map[string]string{
		"escaped surrogate pair": `"\ud83d\ude00"`,
		"nesting past the bound": strings.Repeat("[", maxScanDepth+1) + strings.Repeat("]", maxScanDepth+1),
	} {
		t.Run(name, func(t *testing.T) {
			data := []byte(`{"metadata": {"name": "web", "managedFields": ` + unread + `}, ` + spec + `}`)
			var fast Document
			assert.False(t, fastUnmarshal(data, &fast), "declined")
			var d Document
			require.NoError(t, Unmarshal(data, &d))
			assert.Equal(t, "web", d.Metadata.Name)
			require.Len(t, d.Spec.Containers, 1)
			require.NotNil(t, d.Spec.Containers[0].SecurityContext)
			assert.Equal(t, new(true), d.Spec.Containers[0].SecurityContext.Privileged)
		})
	}
}
