package webhook_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Operations, subresources and kinds that are never judged are allowed, even when their objects break rules
// or cannot be read.
func TestSkipped(t *testing.T) {
	web := newPod("web", compliantSpec())
	privileged := newPod("web", privilegedSpec())
	deployment := newDeployment("web", privilegedSpec())

	scale := &autoscalingv1.Scale{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v1", Kind: "Scale"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: namespace},
		Spec:       autoscalingv1.ScaleSpec{Replicas: 10},
	}
	eviction := &policyv1.Eviction{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "Eviction"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: namespace},
	}
	configMap := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: namespace},
		Data:       map[string]string{"privileged": "true"},
	}

	tests := []handlerCase{
		{name: "delete", req: review(t, admissionv1.Delete, nil, privileged), want: allowed},
		{name: "connect", req: review(t, admissionv1.Connect, privileged, nil, subResource("exec")), want: allowed},
		{name: "status of a pod", req: review(t, admissionv1.Update, privileged, web, subResource("status")), want: allowed},
		{name: "status of a deployment", req: review(t, admissionv1.Update, deployment, newDeployment("web", compliantSpec()), subResource("status")), want: allowed},
		{name: "scale", req: review(t, admissionv1.Update, scale, scale, subResource("scale")), want: allowed},
		{name: "eviction", req: review(t, admissionv1.Create, eviction, nil, subResource("eviction")), want: allowed},
		{name: "kind not judged", req: review(t, admissionv1.Create, configMap, nil), want: allowed},
		{name: "delete of an object kubeguard cannot read", req: unreadableOld(review(t, admissionv1.Delete, nil, privileged)), want: allowed},
		{name: "status of a pod kubeguard cannot read", req: unreadableNew(review(t, admissionv1.Update, privileged, privileged, subResource("status"))), want: allowed},
		{name: "unreadable pod in an exempt namespace", req: unreadableNew(review(t, admissionv1.Create, privileged, nil, inNamespace("kube-system"))), want: allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
