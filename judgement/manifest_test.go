package judgement_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/kubeguard/kubeguard/check"
	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
)

// judgeManifest judges the creation of the single object in a YAML file under the default policy through
// kubeguard check's own entry point, which reads files as users give them to it. The file must also decode
// strictly into its kind's API type, so that a misspelt field in a fixture or an example fails the test
// instead of being silently dropped.
func judgeManifest(t *testing.T, path string) (metav1.TypeMeta, judgement.Verdict) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var typeMeta metav1.TypeMeta
	require.NoError(t, yaml.Unmarshal(data, &typeMeta))
	typed, err := scheme.Scheme.New(typeMeta.GroupVersionKind())
	require.NoError(t, err, "%s: the API knows %s", path, typeMeta.GroupVersionKind())
	require.NoError(t, yaml.UnmarshalStrict(data, typed), path)

	results, errs := check.Run(policy.Default(), []string{path}, nil, time.Time{})
	require.Empty(t, errs, path)
	require.Len(t, results, 1, "%s holds one object", path)
	return typeMeta, results[0].Verdict
}
