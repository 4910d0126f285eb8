package webhook_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/kubeguard/kubeguard/webhook"
	"github.com/kubeguard/kubeguard/webhook/policy"
	"github.com/kubeguard/kubeguard/webhook/verdict"
)

// expect is the answer a request must get.
type expect struct {
	allowed bool
	// code is the status code of a refusal: 403 for a denial, 400 for an object kubeguard cannot read.
	code int32
	// message is the exact message of a denial; mentions are parts of any other refusal's message.
	message  string
	mentions []string
	// causes are the fields of the denial's Details.Causes, in order.
	causes []string
	// warnings are the warnings of an allowed request, in order.
	warnings []string
	// audit is the value of the dry-run-violations audit annotation; "" for none.
	audit string
}

var allowed = expect{allowed: true}

// denied is a 403 with the message lines after the object's name.
func denied(object string, n int, lines []string, causes ...string) expect {
	rulesWord := "rules"
	if n == 1 {
		rulesWord = "rule"
	}
	header := object + " is forbidden: violates " + strconv.Itoa(n) + " kubeguard " + rulesWord + ":"
	return expect{code: http.StatusForbidden, message: strings.Join(append([]string{header}, lines...), "\n"), causes: causes}
}

// warned is allowed with one [dry-run] warning per line and the rule IDs in the audit annotation.
func warned(audit string, lines ...string) expect {
	warnings := make([]string, len(lines))
	for i, l := range lines {
		warnings[i] = "[dry-run] " + l
	}
	return expect{allowed: true, warnings: warnings, audit: audit}
}

func assertAnswer(t *testing.T, want expect, got *admissionv1.AdmissionResponse) {
	t.Helper()
	assert.Equal(t, want.allowed, got.Allowed, "allowed")
	if want.allowed {
		if got.Result != nil {
			assert.Equal(t, int32(http.StatusOK), got.Result.Code, "an allowed request carries no error")
		}
	} else if assert.NotNil(t, got.Result, "a refusal says why") {
		assert.Equal(t, want.code, got.Result.Code, "status code")
		if want.message != "" {
			assert.Equal(t, want.message, got.Result.Message)
		}
		for _, m := range want.mentions {
			assert.Contains(t, got.Result.Message, m)
		}
		if want.code == http.StatusForbidden {
			assert.Equal(t, metav1.StatusReasonForbidden, got.Result.Reason)
			if assert.NotNil(t, got.Result.Details) {
				var fields []string
				for _, c := range got.Result.Details.Causes {
					fields = append(fields, c.Field)
				}
				assert.Equal(t, want.causes, fields, "causes")
			}
		}
	}
	if len(want.warnings) == 0 {
		assert.Empty(t, got.Warnings, "warnings")
	} else {
		assert.Equal(t, want.warnings, got.Warnings, "warnings")
	}
	if want.audit == "" {
		assert.Empty(t, got.AuditAnnotations, "audit annotations")
	} else {
		assert.Equal(t, map[string]string{verdict.AuditAnnotation: want.audit}, got.AuditAnnotations, "audit annotations")
	}
}

// handlerCase is one request and the answer it must get, under a policy (YAML; empty for the defaults) on
// the path that applies the configured modes or, with allDryRun, on the dry-run path.
type handlerCase struct {
	name      string
	config    string
	allDryRun bool
	req       admissionv1.AdmissionRequest
	want      expect
}

// run sends the request through Handler.Handle and through the HTTP handler the server registers, both as
// it is and as a server-side dry run (kubectl --dry-run=server), which must get the same answer.
func (tt handlerCase) run(t *testing.T) {
	p, err := policy.Parse([]byte(tt.config))
	require.NoError(t, err)
	path := webhook.ValidatePath
	if tt.allDryRun {
		path = webhook.DryRunPath
	}
	mux := webhook.NewServer(webhook.ServerOptions{Policy: p}).WebhookMux()

	for _, serverDryRun := range []bool{false, true} {
		req := tt.req
		req.DryRun = new(serverDryRun)
		variant := ""
		if serverDryRun {
			variant = "/server-side dry run"
		}
		t.Run("Handle"+variant, func(t *testing.T) {
			h := &webhook.Handler{Policy: p, AllDryRun: tt.allDryRun}
			resp := h.Handle(context.Background(), admission.Request{AdmissionRequest: req})
			assertAnswer(t, tt.want, &resp.AdmissionResponse)
		})
		t.Run("HTTP"+variant, func(t *testing.T) {
			_, answer := post(t, mux, path, "application/json", reviewBody(t, req))
			require.NotNil(t, answer.Response)
			assert.Equal(t, req.UID, answer.Response.UID, "the request's UID is echoed")
			assertAnswer(t, tt.want, answer.Response)
		})
	}
}

func TestHandle(t *testing.T) {
	web := newPod("web", compliantSpec())
	privileged := newPod("web", privilegedSpec())
	deployment := newDeployment("web", privilegedSpec())
	podLines := privilegedLines("spec")
	podCauses := []string{"spec.containers[0].securityContext.privileged", "spec.containers[0].securityContext.allowPrivilegeEscalation"}
	deploymentLines := privilegedLines("spec.template.spec")

	relabelled := newDeployment("web", privilegedSpec())
	relabelled.Labels["team"] = "payments"
	relabelled.Annotations = map[string]string{"kubeguard.io/reviewed-by": "security"}
	relabelled.Spec.Replicas = new(int32(5))
	relabelled.Finalizers = []string{"example.com/cleanup"}

	restarted := newDeployment("web", privilegedSpec())
	restarted.Spec.Template.Annotations = map[string]string{"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}

	unconfined := newDeployment("web", compliantSpec())
	unconfined.Spec.Template.Annotations = map[string]string{"container.apparmor.security.beta.kubernetes.io/web": "unconfined"}

	worse := newDeployment("web", privilegedSpec())
	worse.Spec.Template.Spec.Containers[0].SecurityContext.RunAsUser = new(int64(0))

	generated := newPod("", privilegedSpec())
	generated.GenerateName = "web-"

	// kubectl debug adds an ephemeral container to a running pod, whose own containers break rules.
	debugged := func(sc *corev1.SecurityContext) *corev1.Pod {
		pod := newPod("web", privilegedSpec())
		pod.Spec.EphemeralContainers = []corev1.EphemeralContainer{{
			EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger", Image: "busybox:1.37", SecurityContext: sc},
			TargetContainerName:      "web",
		}}
		return pod
	}

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
	unreadable := unreadableNew(review(t, admissionv1.Create, privileged, nil))

	userSubjectLine := `user-subject: subjects[1]: binds User "bob@contoso.com". Fix: bind a Group (on AKS, a Microsoft Entra ID group) or a ServiceAccount instead`

	tests := []handlerCase{
		// Creation.
		{name: "compliant pod", req: review(t, admissionv1.Create, web, nil), want: allowed},
		{name: "compliant deployment", req: review(t, admissionv1.Create, newDeployment("web", compliantSpec()), nil), want: allowed},
		{
			name: "privileged pod",
			req:  review(t, admissionv1.Create, privileged, nil),
			want: denied(`pods "web"`, 2, podLines, podCauses...),
		},
		{
			name: "privileged deployment",
			req:  review(t, admissionv1.Create, deployment, nil),
			want: denied(`deployments.apps "web"`, 2, deploymentLines,
				"spec.template.spec.containers[0].securityContext.privileged",
				"spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"),
		},
		{
			name: "pod named by the server",
			req:  review(t, admissionv1.Create, generated, nil),
			want: denied(`pods "web-*"`, 2, podLines, podCauses...),
		},
		{
			name: "object kubeguard cannot read",
			req:  unreadable,
			want: expect{code: http.StatusBadRequest, mentions: []string{"Pod"}},
		},

		// Updates.
		{
			name: "update of labels, annotations, replicas and finalizers only",
			req:  review(t, admissionv1.Update, relabelled, deployment),
			want: allowed,
		},
		{
			name: "kubectl rollout restart",
			req:  review(t, admissionv1.Update, restarted, deployment),
			want: allowed,
		},
		{
			name: "update that breaks a compliant deployment",
			req:  review(t, admissionv1.Update, deployment, newDeployment("web", compliantSpec())),
			want: denied(`deployments.apps "web"`, 2, deploymentLines,
				"spec.template.spec.containers[0].securityContext.privileged",
				"spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"),
		},
		{
			name: "update that changes the security context of a non-compliant deployment",
			req:  review(t, admissionv1.Update, worse, deployment),
			want: denied(`deployments.apps "web"`, 3, append(append([]string(nil), deploymentLines...),
				`run-as-root: container "web": spec.template.spec.containers[0].securityContext.runAsUser: is 0 (root). Fix: set runAsUser to a non-zero UID (for example 65532) or remove it`),
				"spec.template.spec.containers[0].securityContext.privileged",
				"spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation",
				"spec.template.spec.containers[0].securityContext.runAsUser"),
		},
		{
			name: "update that adds an AppArmor annotation",
			req:  review(t, admissionv1.Update, unconfined, newDeployment("web", compliantSpec())),
			want: denied(`deployments.apps "web"`, 1, []string{
				`apparmor-profile: container "web": spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]: is Unconfined. Fix: set it to runtime/default, or remove it and set appArmorProfile: {type: RuntimeDefault}`,
			}, "spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]"),
		},

		// Operations and subresources that are never judged.
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

		// Ephemeral containers: only the one being added is judged.
		{
			name: "privileged ephemeral container",
			req:  review(t, admissionv1.Update, debugged(&corev1.SecurityContext{Privileged: new(true), AllowPrivilegeEscalation: new(false)}), privileged, subResource("ephemeralcontainers")),
			want: denied(`pods "web"`, 1, []string{
				`privileged: container "debugger": spec.ephemeralContainers[0].securityContext.privileged: is true. Fix: set privileged: false or remove it`,
			}, "spec.ephemeralContainers[0].securityContext.privileged"),
		},
		{
			name: "compliant ephemeral container next to an earlier non-compliant one",
			req: review(t, admissionv1.Update,
				withEphemeral(debugged(&corev1.SecurityContext{Privileged: new(true)}), "debugger-2", &corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}),
				debugged(&corev1.SecurityContext{Privileged: new(true)}),
				subResource("ephemeralcontainers")),
			want: allowed,
		},
		{
			name: "second ephemeral container, non-compliant",
			req: review(t, admissionv1.Update,
				withEphemeral(debugged(&corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}), "debugger-2", &corev1.SecurityContext{RunAsUser: new(int64(0)), AllowPrivilegeEscalation: new(false)}),
				debugged(&corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}),
				subResource("ephemeralcontainers")),
			want: denied(`pods "web"`, 1, []string{
				`run-as-root: container "debugger-2": spec.ephemeralContainers[1].securityContext.runAsUser: is 0 (root). Fix: set runAsUser to a non-zero UID (for example 65532) or remove it`,
			}, "spec.ephemeralContainers[1].securityContext.runAsUser"),
		},
		{
			name: "compliant ephemeral container in a non-compliant pod",
			req:  review(t, admissionv1.Update, debugged(&corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}), privileged, subResource("ephemeralcontainers")),
			want: allowed,
		},

		// Exemptions.
		{name: "exempt namespace", req: review(t, admissionv1.Create, privileged, nil, inNamespace("kube-system")), want: allowed},
		{
			name:   "exempt user",
			config: "exemptions:\n  users: [\"system:serviceaccount:argocd:*\"]\n",
			req:    review(t, admissionv1.Create, privileged, nil, asUser("system:serviceaccount:argocd:argocd-application-controller")),
			want:   allowed,
		},
		{
			name:   "exempt group",
			config: "exemptions:\n  groups: [platform-admins]\n",
			req:    review(t, admissionv1.Create, privileged, nil, asUser("bob@contoso.com", "system:authenticated", "platform-admins")),
			want:   allowed,
		},
		{
			name:   "user not exempt",
			config: "exemptions:\n  users: [\"system:serviceaccount:argocd:*\"]\n  groups: [platform-admins]\n",
			req:    review(t, admissionv1.Create, privileged, nil),
			want:   denied(`pods "web"`, 2, podLines, podCauses...),
		},
		{
			name: "built-in controller creating pods",
			req:  review(t, admissionv1.Create, privileged, nil, asUser("system:serviceaccount:kube-system:replicaset-controller", "system:serviceaccounts", "system:serviceaccounts:kube-system")),
			want: warned("privileged,privilege-escalation", podLines...),
		},

		// Modes.
		{name: "dry-run path", allDryRun: true, req: review(t, admissionv1.Create, deployment, nil), want: warned("privileged,privilege-escalation", deploymentLines...)},
		{name: "dry-run path, compliant", allDryRun: true, req: review(t, admissionv1.Create, web, nil), want: allowed},
		{name: "global dry-run", config: "mode: dry-run\n", req: review(t, admissionv1.Create, privileged, nil), want: warned("privileged,privilege-escalation", podLines...)},
		{
			name:   "one rule dry-run, the other enforced",
			config: "rules:\n  privileged: {mode: dry-run}\n",
			req:    review(t, admissionv1.Create, privileged, nil),
			want: func() expect {
				e := denied(`pods "web"`, 1, []string{podLines[1], "[dry-run] " + podLines[0]}, podCauses[1])
				e.audit = "privileged"
				return e
			}(),
		},
		{
			name:   "only the dry-run rule broken",
			config: "rules:\n  privileged: {mode: dry-run}\n",
			req:    review(t, admissionv1.Create, newPod("web", withPrivileged(compliantSpec())), nil),
			want:   warned("privileged", podLines[0]),
		},
		{
			name:   "rule off",
			config: "rules:\n  privileged: {mode: off}\n",
			req:    review(t, admissionv1.Create, newPod("web", withPrivileged(compliantSpec())), nil),
			want:   allowed,
		},
		{
			name:      "rule off on the dry-run path",
			config:    "rules:\n  privileged: {mode: off}\n",
			allDryRun: true,
			req:       review(t, admissionv1.Create, privileged, nil),
			want:      warned("privilege-escalation", podLines[1]),
		},

		// Bindings.
		{
			name: "role binding to a user",
			req:  review(t, admissionv1.Create, newRoleBinding("editors", group("payments-devs"), user("bob@contoso.com")), nil),
			want: denied(`rolebindings.rbac.authorization.k8s.io "editors"`, 1, []string{userSubjectLine}, "subjects[1]"),
		},
		{
			name: "cluster role binding to a user",
			req:  review(t, admissionv1.Create, newClusterRoleBinding("admins", serviceAccount("deployer"), user("bob@contoso.com")), nil),
			want: denied(`clusterrolebindings.rbac.authorization.k8s.io "admins"`, 1, []string{userSubjectLine}, "subjects[1]"),
		},
		{
			name: "bindings to a group, a service account and a system user",
			req:  review(t, admissionv1.Create, newRoleBinding("editors", group("payments-devs"), serviceAccount("deployer"), user("system:kube-scheduler")), nil),
			want: allowed,
		},
		{
			name: "update of a binding's labels only",
			req: review(t, admissionv1.Update,
				func() runtime.Object {
					b := newRoleBinding("editors", user("bob@contoso.com"))
					b.Labels = map[string]string{"team": "payments"}
					return b
				}(),
				newRoleBinding("editors", user("bob@contoso.com"))),
			want: allowed,
		},
		{
			name:   "allowed user",
			config: "rules:\n  user-subject: {allowedUsers: [\"system:*\", \"bob@*\"]}\n",
			req:    review(t, admissionv1.Create, newRoleBinding("editors", user("bob@contoso.com")), nil),
			want:   allowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

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
		t.Run(k.resource, func(t *testing.T) {
			compliant := handlerCase{req: review(t, admissionv1.Create, k.build("web", compliantSpec()), nil), want: allowed}
			t.Run("compliant", compliant.run)

			lines := privilegedLines(k.specPath)
			privileged := handlerCase{
				req: review(t, admissionv1.Create, k.build("web", privilegedSpec()), nil),
				want: denied(k.resource+` "web"`, 2, lines,
					k.specPath+".containers[0].securityContext.privileged",
					k.specPath+".containers[0].securityContext.allowPrivilegeEscalation"),
			}
			t.Run("privileged", privileged.run)

			dryRun := handlerCase{allDryRun: true, req: privileged.req, want: warned("privileged,privilege-escalation", lines...)}
			t.Run("privileged on the dry-run path", dryRun.run)
		})
	}
}
