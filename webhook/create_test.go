package webhook_test

import (
	"net/http"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// Creating an object: judged in full, named as the API server names it.
func TestCreate(t *testing.T) {
	web := newPod("web", compliantSpec())
	privileged := newPod("web", privilegedSpec())
	deployment := newDeployment("web", privilegedSpec())
	inPod := privilegedViolations("spec")

	generated := newPod("", privilegedSpec())
	generated.GenerateName = "web-"
	unreadable := unreadableNew(review(t, admissionv1.Create, privileged, nil))

	tests := []handlerCase{
		{name: "compliant pod", req: review(t, admissionv1.Create, web, nil), want: allowed},
		{name: "compliant deployment", req: review(t, admissionv1.Create, newDeployment("web", compliantSpec()), nil), want: allowed},
		{
			name: "privileged pod",
			req:  review(t, admissionv1.Create, privileged, nil),
			want: denied("pods", "web", inPod...),
		},
		{
			name: "privileged deployment",
			req:  review(t, admissionv1.Create, deployment, nil),
			want: denied("deployments.apps", "web", privilegedViolations("spec.template.spec")...),
		},
		{
			name: "pod named by the server",
			req:  review(t, admissionv1.Create, generated, nil),
			want: denied("pods", "web-*", inPod...),
		},
		{
			name: "object kubeguard cannot read",
			req:  unreadable,
			want: expect{code: http.StatusBadRequest, mentions: []string{"Pod"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
