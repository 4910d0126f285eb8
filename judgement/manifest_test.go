package judgement_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
)

// judgeManifest judges the creation of the single object in a YAML file under the default policy, as
// kubeguard check and the webhook do. The file must also decode strictly into its kind's API type, so that a
// misspelt field in a fixture or an example fails the test instead of being silently dropped.
func judgeManifest(t *testing.T, path string) (metav1.TypeMeta, judgement.Verdict) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var typeMeta metav1.TypeMeta
	require.NoError(t, yaml.Unmarshal(data, &typeMeta))
	typed, err := scheme.Scheme.New(typeMeta.GroupVersionKind())
	require.NoError(t, err, "%s: the API knows %s", path, typeMeta.GroupVersionKind())
	require.NoError(t, yaml.UnmarshalStrict(data, typed), path)

	jsonData, err := yaml.YAMLToJSON(data)
	require.NoError(t, err)
	var doc objects.Document
	require.NoError(t, objects.UnmarshalDocument(jsonData, &doc))
	v := judgement.Judge(policy.Default(), &judgement.Request{
		Kind:      typeMeta.GroupVersionKind().GroupKind(),
		Operation: admissionv1.Create,
		Namespace: doc.Metadata.Namespace,
		Object:    &doc,
	})
	return typeMeta, v
}
