package judgement_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// updatePod asks to replace old by pod as a developer.
func updatePod(old, pod *rules.Pod) *judgement.Request {
	req := createPod(pod)
	req.Operation, req.OldObject = admissionv1.Update, podDocument(old)
	return req
}

// legacyPod is a pod written before kubeguard: one container, no securityContext anywhere.
func legacyPod(names ...string) *rules.Pod {
	if len(names) == 0 {
		names = []string{"web"}
	}
	pod := &rules.Pod{}
	for _, n := range names {
		pod.Spec.Containers = append(pod.Spec.Containers, rules.Container{Name: n})
	}
	return pod
}

func podSC(pod *rules.Pod) *corev1.PodSecurityContext {
	if pod.Spec.SecurityContext == nil {
		pod.Spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	return pod.Spec.SecurityContext
}

func containerSC(pod *rules.Pod, i int) *corev1.SecurityContext {
	if pod.Spec.Containers[i].SecurityContext == nil {
		pod.Spec.Containers[i].SecurityContext = &corev1.SecurityContext{}
	}
	return pod.Spec.Containers[i].SecurityContext
}

// ruleOf names each violation by rule and container, which is how a developer tells them apart.
func ruleOf(vs []rules.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule+" "+v.Container)
	}
	return out
}

// On update only what the old object did not already break is denied; the rest is allowed and warned
// about as existing.
func TestRatchet(t *testing.T) {
	legacyAll := []string{"privilege-escalation web", "run-as-root ", "seccomp-profile ", "apparmor-profile "}
	tests := []struct {
		name         string
		config       string
		old, pod     func() *rules.Pod
		wantEnforced []string
		wantExisting []string
	}{
		{
			name:         "fixing one rule leaves the others as existing",
			old:          func() *rules.Pod { return legacyPod() },
			pod:          func() *rules.Pod { p := legacyPod(); podSC(p).SeccompProfile = runtimeDefault(); return p },
			wantExisting: []string{"privilege-escalation web", "run-as-root ", "apparmor-profile "},
		},
		{
			name: "a change no rule reads but that changes the securityContext structs",
			old:  func() *rules.Pod { return legacyPod() },
			pod: func() *rules.Pod {
				p := legacyPod()
				podSC(p).FSGroup = new(int64(2000))
				containerSC(p, 0).Capabilities = &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}
				return p
			},
			wantExisting: legacyAll,
		},
		{
			name: "adding privileged is new, the rest is existing",
			old:  func() *rules.Pod { return legacyPod() },
			pod: func() *rules.Pod {
				p := legacyPod()
				containerSC(p, 0).Privileged = new(true)
				return p
			},
			wantEnforced: []string{"privileged web"},
			wantExisting: []string{"privilege-escalation web", "run-as-root ", "seccomp-profile ", "apparmor-profile "},
		},
		{
			name:         "a value made worse is new",
			old:          func() *rules.Pod { p := legacyPod(); podSC(p).SeccompProfile = runtimeDefault(); return p },
			pod:          func() *rules.Pod { p := legacyPod(); podSC(p).SeccompProfile = unconfined(); return p },
			wantEnforced: []string{"seccomp-profile "},
			wantExisting: []string{"privilege-escalation web", "run-as-root ", "apparmor-profile "},
		},
		{
			name:         "a new container is new",
			old:          func() *rules.Pod { return legacyPod("web") },
			pod:          func() *rules.Pod { return legacyPod("web", "sidecar") },
			wantEnforced: []string{"privilege-escalation sidecar", "run-as-root ", "seccomp-profile ", "apparmor-profile "},
			wantExisting: []string{"privilege-escalation web"},
		},
		{
			name:         "a renamed container is new",
			old:          func() *rules.Pod { return legacyPod("web") },
			pod:          func() *rules.Pod { return legacyPod("app") },
			wantEnforced: []string{"privilege-escalation app", "run-as-root ", "seccomp-profile ", "apparmor-profile "},
		},
		{
			name:         "reordered containers are the same containers",
			old:          func() *rules.Pod { return legacyPod("web", "sidecar", "metrics") },
			pod:          func() *rules.Pod { return legacyPod("metrics", "web", "sidecar") },
			wantExisting: []string{"privilege-escalation metrics", "privilege-escalation web", "privilege-escalation sidecar", "run-as-root ", "seccomp-profile ", "apparmor-profile "},
		},
		{
			name: "fixing a setting in one container of several: the others stay unprotected, as before",
			old:  func() *rules.Pod { return legacyPod("web", "sidecar") },
			pod: func() *rules.Pod {
				p := legacyPod("web", "sidecar")
				containerSC(p, 0).SeccompProfile = runtimeDefault()
				return p
			},
			wantExisting: []string{"privilege-escalation web", "privilege-escalation sidecar", "run-as-root ", "seccomp-profile sidecar", "apparmor-profile "},
		},
		{
			name: "a pod-level value that reaches a container it did not reach is new",
			old: func() *rules.Pod {
				p := legacyPod("web", "sidecar")
				containerSC(p, 1).RunAsUser = new(int64(1000))
				podSC(p).RunAsUser = new(int64(0))
				return p
			},
			pod: func() *rules.Pod {
				p := legacyPod("web", "sidecar")
				podSC(p).RunAsUser = new(int64(0))
				return p
			},
			wantEnforced: []string{"run-as-root "},
			wantExisting: []string{"privilege-escalation web", "privilege-escalation sidecar", "run-as-root ", "seccomp-profile ", "apparmor-profile "},
		},
		{
			name:         "updates: full judges everything",
			config:       "updates: full\n",
			old:          func() *rules.Pod { return legacyPod() },
			pod:          func() *rules.Pod { p := legacyPod(); podSC(p).SeccompProfile = runtimeDefault(); return p },
			wantEnforced: []string{"privilege-escalation web", "run-as-root ", "apparmor-profile "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.Parse([]byte(tt.config))
			require.NoError(t, err)
			v := judgement.Judge(p, updatePod(tt.old(), tt.pod()))
			assert.Equal(t, tt.wantEnforced, ruleOf(v.Enforced), "enforced")
			assert.Equal(t, tt.wantExisting, ruleOf(v.Existing), "existing")
			assert.Empty(t, v.DryRun)
			switch {
			case tt.wantEnforced != nil:
				assert.Equal(t, judgement.Denied, v.Decision)
			case tt.wantExisting != nil:
				assert.Equal(t, judgement.Warned, v.Decision)
				assert.Len(t, v.Warnings(), len(tt.wantExisting))
				for _, w := range v.Warnings() {
					assert.True(t, strings.HasPrefix(w, judgement.ExistingPrefix), w)
				}
			}
		})
	}
}

// A binding's subjects are told apart by kind and name, not by their place in the list.
func TestRatchetBindings(t *testing.T) {
	user := func(name string) rbacv1.Subject {
		return rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}
	}
	group := rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "devs"}
	doc := func(subjects ...rbacv1.Subject) *objects.Document {
		d := &objects.Document{Binding: rules.Binding{Subjects: subjects}}
		d.Metadata.Name = "access"
		return d
	}
	update := func(old, obj *objects.Document) judgement.Verdict {
		return judgement.Judge(policy.Default(), &judgement.Request{
			Kind: bindingKind, Operation: admissionv1.Update, Namespace: "payments", User: "admin",
			Object: obj, OldObject: old,
		})
	}

	v := update(doc(user("alice")), doc(group, user("alice")))
	assert.Equal(t, judgement.Warned, v.Decision, "alice moved from subjects[0] to subjects[1]")
	assert.Equal(t, []string{"user-subject subjects[1]"}, found(v.Existing))

	v = update(doc(user("alice")), doc(user("alice"), user("bob")))
	assert.Equal(t, judgement.Denied, v.Decision, "a new User subject")
	assert.Equal(t, []string{"user-subject subjects[1]"}, found(v.Enforced))
	assert.Equal(t, []string{"user-subject subjects[0]"}, found(v.Existing))
}

// However many containers an update carries, matching old and new violations stays linear: a request
// must not be able to stall the webhook.
func TestRatchetManyContainers(t *testing.T) {
	names := make([]string, 20000)
	for i := range names {
		names[i] = "c" + strconv.Itoa(i)
	}
	old, pod := legacyPod(names...), legacyPod(names...)
	podSC(pod).SeccompProfile = runtimeDefault()
	v := judgement.Judge(policy.Default(), updatePod(old, pod))
	assert.Equal(t, judgement.Warned, v.Decision)
	assert.Len(t, v.Existing, len(names)+2)
}

func runtimeDefault() *corev1.SeccompProfile {
	return &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
}

func unconfined() *corev1.SeccompProfile {
	return &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
}
