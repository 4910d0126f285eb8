package objects_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// The fields only the Pod Security rules read reach them through the one-pass decoder: the corpus object
// that sets each of them badly is denied under the restricted profile by every rule that reads them, at the
// fields where they sit.
func TestDecoderFeedsThePodSecurityRules(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "corpus", "pass-deployment-pod-security-fields.json"))
	require.NoError(t, err)
	var doc objects.Document
	require.NoError(t, objects.UnmarshalDocument(data, &doc))
	v := judgement.Judge(policy.ForProfile(rules.Restricted, rules.Latest), &judgement.Request{
		Kind: schema.GroupKind{Group: "apps", Kind: "Deployment"}, Operation: admissionv1.Create, Object: &doc,
	})
	require.Equal(t, judgement.Denied, v.Decision)

	var fields []string
	for _, violation := range v.Result.Enforced {
		fields = append(fields, violation.Rule+" "+violation.Field)
	}
	const spec = "spec.template.spec."
	assert.Equal(t, []string{
		"host-namespaces " + spec + "hostNetwork",
		"host-namespaces " + spec + "hostIPC",
		"host-path-volumes " + spec + "volumes[0].hostPath",
		"host-ports " + spec + "initContainers[0].ports[0].hostPort",
		"host-ports " + spec + "containers[0].ports[1].hostPort",
		"added-capabilities " + spec + "initContainers[0].securityContext.capabilities.add",
		"added-capabilities " + spec + "containers[0].securityContext.capabilities.add",
		"proc-mount " + spec + "initContainers[0].securityContext.procMount",
		"unsafe-sysctls " + spec + "securityContext.sysctls[0].name",
		"selinux-options " + spec + "securityContext.seLinuxOptions.type",
		"selinux-options " + spec + "containers[0].securityContext.seLinuxOptions.user",
		"selinux-options " + spec + "containers[0].securityContext.seLinuxOptions.role",
		"probe-host " + spec + "containers[0].livenessProbe.httpGet.host",
		"probe-host " + spec + "containers[0].readinessProbe.tcpSocket.host",
		"probe-host " + spec + "containers[0].lifecycle.postStart.httpGet.host",
		"volume-types " + spec + "volumes[0].hostPath",
		"volume-types " + spec + "volumes[1].nfs",
		"volume-types " + spec + "volumes[2].azureDisk",
		"volume-types " + spec + "volumes[3].azureFile",
		"volume-types " + spec + "volumes[10].gitRepo",
		"minimal-capabilities " + spec + "initContainers[0].securityContext.capabilities.drop",
		"minimal-capabilities " + spec + "initContainers[0].securityContext.capabilities.add",
		"minimal-capabilities " + spec + "containers[0].securityContext.capabilities.drop",
		"minimal-capabilities " + spec + "containers[0].securityContext.capabilities.add",
	}, fields)
}
