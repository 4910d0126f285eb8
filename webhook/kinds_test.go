package webhook_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/objects"
)

// unreadablePod is a pod whose containers are not a list: valid JSON, but no pod kubeguard can judge.
const unreadablePod = `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": "web"}}`

func unreadableNew(req admissionv1.AdmissionRequest) admissionv1.AdmissionRequest {
	req.Object.Raw = []byte(unreadablePod)
	return req
}

func unreadableOld(req admissionv1.AdmissionRequest) admissionv1.AdmissionRequest {
	req.OldObject.Raw = []byte(unreadablePod)
	return req
}

// withEphemeral adds an ephemeral container, as kubectl debug does.
func withEphemeral(pod *corev1.Pod, name string, sc *corev1.SecurityContext) *corev1.Pod {
	pod.Spec.EphemeralContainers = append(pod.Spec.EphemeralContainers, corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: name, Image: "busybox:1.37", SecurityContext: sc},
		TargetContainerName:      "web",
	})
	return pod
}

// withPrivileged makes the compliant container privileged and nothing else.
func withPrivileged(spec corev1.PodSpec) corev1.PodSpec {
	spec.Containers[0].SecurityContext.Privileged = new(true)
	return spec
}

// Every kind with a pod spec is judged, and its violations point into the object at the pod spec's path.
func TestHandleEveryPodKind(t *testing.T) {
	for _, k := range podKinds {
		kind, ok := objects.Lookup(k.kind)
		require.True(t, ok, "kubeguard judges %s", k.kind)
		resource := kind.QualifiedResource().String()
		t.Run(resource, func(t *testing.T) {
			compliant := handlerCase{req: review(t, admissionv1.Create, k.build("web", compliantSpec()), nil), want: allowed}
			t.Run("compliant", compliant.run)

			violations := privilegedViolations(k.specPath)
			privileged := handlerCase{
				req:  review(t, admissionv1.Create, k.build("web", privilegedSpec()), nil),
				want: denied(resource, "web", violations...),
			}
			t.Run("privileged", privileged.run)

			dryRun := handlerCase{allDryRun: true, req: privileged.req, want: warned(violations...)}
			t.Run("privileged on the dry-run path", dryRun.run)
		})
	}
}

// Every kind kubeguard judges has its objects built by these tests: a kind added to objects.Kinds fails here
// until the tests send it.
func TestEveryJudgedKindIsSent(t *testing.T) {
	sent := map[schema.GroupKind]bool{}
	for _, k := range podKinds {
		sent[k.kind] = true
	}
	for _, obj := range []runtime.Object{newRoleBinding("editors"), newClusterRoleBinding("admins"), newBudget("web", nil, nil)} {
		sent[obj.GetObjectKind().GroupVersionKind().GroupKind()] = true
	}
	var judged []schema.GroupKind
	for _, k := range objects.Kinds() {
		judged = append(judged, k.GroupKind)
		assert.True(t, sent[k.GroupKind], "the tests send no %s", k.GroupKind)
	}
	for gk := range sent {
		assert.Contains(t, judged, gk, "the tests send %s, which kubeguard does not judge", gk)
	}
}
