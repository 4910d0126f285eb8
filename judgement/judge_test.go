package judgement_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
)

// Which requests are judged at all, who is exempt, and what cannot be read: the decisions besides the
// rules' own verdicts (modes_test.go), one request changed at a time from a developer creating a pod.
func TestJudgeDecisions(t *testing.T) {
	labelled := podDocument(privilegedPod())
	labelled.Metadata.Annotations = map[string]string{"team": "payments"}
	generated := podDocument(privilegedPod())
	generated.Metadata.Name, generated.Metadata.GenerateName = "", "web-"

	tests := []struct {
		name   string
		config string
		change func(r *judgement.Request)
		want   judgement.Decision
		// judgedKind says the verdict names the kind; wantName the object.
		judgedKind bool
		wantName   string
		reason     string
	}{
		{name: "create", want: judgement.Denied, judgedKind: true, wantName: "web"},
		{name: "delete", change: func(r *judgement.Request) { r.Operation = admissionv1.Delete }, want: judgement.NotJudged, judgedKind: true},
		{name: "connect", change: func(r *judgement.Request) { r.Operation = admissionv1.Connect }, want: judgement.NotJudged, judgedKind: true},
		{name: "status", change: func(r *judgement.Request) { r.SubResource = "status" }, want: judgement.NotJudged, judgedKind: true},
		{name: "ephemeral containers of another kind", change: func(r *judgement.Request) {
			r.Kind, r.SubResource = schema.GroupKind{Group: "apps", Kind: "Deployment"}, "ephemeralcontainers"
		}, want: judgement.NotJudged, judgedKind: true},
		{name: "kind not judged", change: func(r *judgement.Request) { r.Kind = schema.GroupKind{Kind: "ConfigMap"} }, want: judgement.NotJudged},
		{name: "kind of the same name in another group", change: func(r *judgement.Request) { r.Kind.Group = "example.com" }, want: judgement.NotJudged},
		{
			name: "exempt namespace", change: func(r *judgement.Request) { r.Namespace = "kube-system" },
			want: judgement.Exempt, judgedKind: true, wantName: "web", reason: "namespace kube-system is exempt",
		},
		{
			name: "exempt user", config: "exemptions:\n  users: [\"alice@*\"]\n",
			want: judgement.Exempt, judgedKind: true, wantName: "web", reason: "requester alice@contoso.com is exempt",
		},
		{
			name: "exempt group", config: "exemptions:\n  groups: [platform]\n", change: func(r *judgement.Request) { r.Groups = []string{"system:authenticated", "platform"} },
			want: judgement.Exempt, judgedKind: true, wantName: "web", reason: "requester alice@contoso.com is exempt",
		},
		{
			name: "no requester: requester exemptions do not apply", config: "exemptions:\n  users: [\"*\"]\n  dryRunUsers: [\"*\"]\n",
			change: func(r *judgement.Request) { r.User = "" },
			want:   judgement.Denied, judgedKind: true, wantName: "web",
		},
		{
			name: "dry-run user", change: func(r *judgement.Request) { r.User = "system:serviceaccount:kube-system:replicaset-controller" },
			want: judgement.Warned, judgedKind: true, wantName: "web",
		},
		{
			name: "unreadable", change: func(r *judgement.Request) { r.Object, r.Unreadable = nil, errors.New("spec.containers: not a list") },
			want: judgement.Error, judgedKind: true, reason: "kubeguard cannot read the Pod: spec.containers: not a list",
		},
		{
			name: "no object", change: func(r *judgement.Request) { r.Object = nil },
			want: judgement.Error, judgedKind: true, reason: "the request carries no Pod to judge",
		},
		{
			name: "unreadable in an exempt namespace", change: func(r *judgement.Request) {
				r.Object, r.Unreadable, r.Namespace = nil, errors.New("bad"), "kube-system"
			},
			want: judgement.Exempt, judgedKind: true, reason: "namespace kube-system is exempt",
		},
		{
			name: "update that changes nothing the rules read", change: func(r *judgement.Request) {
				r.Operation, r.OldObject, r.Object = admissionv1.Update, r.Object, labelled
			},
			want: judgement.Allowed, judgedKind: true, wantName: "web",
		},
		{
			name: "update that makes a compliant pod privileged", change: func(r *judgement.Request) {
				r.Operation, r.OldObject = admissionv1.Update, podDocument(compliantPod())
			},
			want: judgement.Denied, judgedKind: true, wantName: "web",
		},
		{name: "named by the server", change: func(r *judgement.Request) { r.Object = generated }, want: judgement.Denied, judgedKind: true, wantName: "web-*"},
		{name: "the request's name wins", change: func(r *judgement.Request) { r.Name = "web-7f9c" }, want: judgement.Denied, judgedKind: true, wantName: "web-7f9c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.config))
			require.NoError(t, err)
			req := createPod(privilegedPod())
			if tt.change != nil {
				tt.change(req)
			}
			v := judgement.Judge(p, req)
			assert.Equal(t, tt.want, v.Decision)
			assert.Equal(t, tt.judgedKind, v.Kind != nil, "kind")
			assert.Equal(t, tt.wantName, v.Name)
			assert.Equal(t, tt.reason, v.Reason)
			if tt.want != judgement.Denied && tt.want != judgement.Warned {
				assert.Empty(t, v.Enforced)
				assert.Empty(t, v.DryRun)
			}
			assert.Equal(t, tt.want == judgement.Denied || tt.want == judgement.Error, v.Decision.Refused())
		})
	}
}
