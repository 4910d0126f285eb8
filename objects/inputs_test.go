package objects_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kubeguard/kubeguard/objects"
)

// The views the rules read (rules.Pod, rules.Binding, rules.DisruptionBudget) are the one declaration of
// the fields they read, and decoding fills them by their JSON names. A wrong name would read nothing and
// let everything pass, so for every kind of the table this test fills every field of the API's own Go type
// (whose JSON names are the API server's), encodes it, decodes it as the webhook does, and requires every
// leaf of the view to hold a value: a view field whose name the API does not use stays empty and fails here.
func TestEveryFieldTheRulesReadIsDecoded(t *testing.T) {
	for _, k := range objects.Kinds() {
		t.Run(k.GroupKind.String(), func(t *testing.T) {
			typed, err := scheme.Scheme.New(k.WithVersion(k.Version))
			require.NoError(t, err, "the API's Go type of %s", k.GroupKind)
			fill(reflect.ValueOf(typed).Elem(), 0)
			data, err := json.Marshal(typed)
			require.NoError(t, err)

			var doc objects.Document
			require.NoError(t, objects.UnmarshalDocument(data, &doc))
			obj := doc.Object(&k)
			assert.NotEmpty(t, obj.Name)
			assert.NotEmpty(t, obj.Namespace)
			var empty []string
			switch {
			case obj.Pod != nil:
				empty = emptyLeaves(reflect.ValueOf(obj.Pod.Spec), "spec")
				assert.NotEmpty(t, obj.Pod.Annotations, "the AppArmor annotations")
			case obj.Binding != nil:
				empty = emptyLeaves(reflect.ValueOf(*obj.Binding), "")
			case obj.DisruptionBudget != nil:
				empty = emptyLeaves(reflect.ValueOf(*obj.DisruptionBudget), "spec")
			default:
				t.Fatalf("%s gives the rules no view", k.GroupKind)
			}
			assert.Empty(t, empty, "fields of the view that decoding left empty: their JSON names are not the API's")
		})
	}
}

// The walk finds a wrong JSON name: a view whose hostNetwork is misspelt decodes nothing into it.
func TestAWrongJSONNameIsFound(t *testing.T) {
	var view struct {
		Spec struct {
			HostNetwork bool `json:"hostNetwork"`
			HostPID     bool `json:"hostPid"`
		} `json:"spec"`
	}
	require.NoError(t, objects.Unmarshal([]byte(`{"spec":{"hostNetwork":true,"hostPID":true}}`), &view))
	assert.Equal(t, []string{"spec.hostPid"}, emptyLeaves(reflect.ValueOf(view), ""))
}

// fill sets every exported field of v, recursively, to a value that is not the zero value: true, 1, "x",
// one element per list and one entry per map. Map keys are a legacy AppArmor annotation's, the only
// annotations the decoder keeps. Types with their own JSON encoding are left as they are, but for
// IntOrString (a PodDisruptionBudget's bounds), which the rules read.
func fill(v reflect.Value, depth int) {
	if depth > 25 || !v.CanSet() {
		return
	}
	if v.Type() == reflect.TypeFor[intstr.IntOrString]() {
		v.Set(reflect.ValueOf(intstr.FromInt32(1)))
		return
	}
	if reflect.PointerTo(v.Type()).Implements(reflect.TypeFor[json.Marshaler]()) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), depth+1)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		key, val := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		if key.Kind() == reflect.String {
			key.SetString("container.apparmor.security.beta.kubernetes.io/x")
		}
		fill(val, depth+1)
		m.SetMapIndex(key, val)
		v.Set(m)
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1)
	}
}

// emptyLeaves returns the JSON path of every leaf of v that holds its zero value: a nil pointer, an empty
// list or map, a zero number, an empty string, false. Fields the JSON never fills (json:"-") are not
// leaves; a type with its own JSON decoding is one leaf.
func emptyLeaves(v reflect.Value, path string) []string {
	if reflect.PointerTo(v.Type()).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		if v.IsZero() {
			return []string{path}
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return []string{path}
		}
		return emptyLeaves(v.Elem(), path)
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			child := path
			if name != "" { // an embedded struct's fields sit at its parent's level
				child = strings.TrimPrefix(path+"."+name, ".")
			}
			out = append(out, emptyLeaves(v.Field(i), child)...)
		}
		return out
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return []string{path}
		}
		if v.Kind() == reflect.Map {
			var out []string
			for _, key := range v.MapKeys() {
				out = append(out, emptyLeaves(v.MapIndex(key), fmt.Sprintf("%s[%v]", path, key))...)
			}
			return out
		}
		var out []string
		for i := range v.Len() {
			out = append(out, emptyLeaves(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	if v.IsZero() {
		return []string{path}
	}
	return nil
}
