package judgement_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

var (
	enforcementDay = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	dayBefore      = enforcementDay.Add(-24 * time.Hour)
)

// Before its date an enforced rule acts as dry-run and says from when it will deny; from the date it denies.
func TestEnforceAfter(t *testing.T) {
	p, err := policy.Parse([]byte("rules:\n  privileged: {enforceAfter: 2027-01-01T00:00:00Z}\n"))
	require.NoError(t, err)

	req := createPod(privilegedPod())
	req.Now = dayBefore
	v := judgement.Judge(p, req)
	assert.Equal(t, []string{escalationField}, found(v.Enforced))
	assert.Equal(t, []string{privilegedField}, found(v.DryRun))
	assert.Equal(t, map[string]time.Time{"privileged": enforcementDay}, v.EnforceAfter)
	lines := strings.Split(v.Denial().Message, "\n")
	require.Len(t, lines, 3, "the object, the enforced violation, the staged one")
	assert.Contains(t, lines[2], "spec.containers[0].securityContext.privileged")
	assert.Contains(t, lines[2], "2027-01-01T00:00:00Z", "the staged line says from when its rule denies")
	var golden goldenMessages
	golden.add("the day before", v.Denial().Message)
	golden.check(t)

	req.Now = enforcementDay
	v = judgement.Judge(p, req)
	assert.Equal(t, []string{privilegedField, escalationField}, found(v.Enforced))
	assert.Empty(t, v.DryRun)
	assert.Empty(t, v.EnforceAfter)
}

// The top-level date stages every rule; a warning says when each will be enforced, and a rule in dry-run
// for another reason (the dry-run path) carries no date.
func TestEnforceAfterEveryRule(t *testing.T) {
	p, err := policy.Parse([]byte("enforceAfter: 2027-01-01T00:00:00Z\n"))
	require.NoError(t, err)
	req := createPod(privilegedPod())
	req.Now = dayBefore
	v := judgement.Judge(p, req)
	assert.Equal(t, judgement.Warned, v.Decision)
	var golden goldenMessages
	warnings := v.Warnings()
	require.Len(t, warnings, 2)
	for i, rule := range []string{"privileged", "privilege-escalation"} {
		assert.Contains(t, warnings[i], rule)
		assert.Contains(t, warnings[i], "2027-01-01T00:00:00Z", "the warning says from when its rule denies")
	}
	golden.add("staged", strings.Join(warnings, "\n"))
	assert.Equal(t, "privileged,privilege-escalation", v.AuditAnnotations()[judgement.AuditViolations])

	req.AllDryRun = true
	v = judgement.Judge(p, req)
	warnings = v.Warnings()
	require.Len(t, warnings, 2)
	for i, rule := range []string{"privileged", "privilege-escalation"} {
		assert.True(t, strings.HasPrefix(warnings[i], judgement.DryRunPrefix), warnings[i])
		assert.Contains(t, warnings[i], rule)
		assert.NotContains(t, warnings[i], "2027", "the dry-run path names no date")
	}
	golden.add("the dry-run path", strings.Join(warnings, "\n"))
	golden.check(t)
}

// Namespaces in dryRunNamespaces are judged in dry-run, until their date when they have one.
func TestDryRunNamespaces(t *testing.T) {
	p, err := policy.Parse([]byte("dryRunNamespaces:\n  - legacy\n  - {name: payments, until: 2027-01-01T00:00:00Z, reason: migration}\n"))
	require.NoError(t, err)
	tests := []struct {
		name      string
		namespace string
		now       time.Time
		want      judgement.Decision
	}{
		{name: "window without a date", namespace: "legacy", now: enforcementDay, want: judgement.Warned},
		{name: "window before its date", namespace: "payments", now: dayBefore, want: judgement.Warned},
		{name: "window after its date", namespace: "payments", now: enforcementDay, want: judgement.Denied},
		{name: "another namespace", namespace: "team-a", now: dayBefore, want: judgement.Denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := createPod(privilegedPod())
			req.Namespace, req.Now = tt.namespace, tt.now
			assert.Equal(t, tt.want, judgement.Judge(p, req).Decision)
		})
	}
}

// An exemption with a date stops applying at it.
func TestExpiredExemption(t *testing.T) {
	p, err := policy.Parse([]byte(`
exemptions:
  namespaces: [{name: payments, until: 2027-01-01T00:00:00Z, reason: vendor chart}]
  users: [{name: "alice@*", until: 2027-01-01T00:00:00Z}]
`))
	require.NoError(t, err)
	req := createPod(privilegedPod())
	req.Now = dayBefore
	v := judgement.Judge(p, req)
	assert.Equal(t, judgement.Exempt, v.Decision)
	assert.Equal(t, "namespace payments is exempt", v.Reason)

	req.Namespace = "team-a"
	assert.Equal(t, judgement.Exempt, judgement.Judge(p, req).Decision, "alice is exempt")

	req.Now = enforcementDay
	assert.Equal(t, judgement.Denied, judgement.Judge(p, req).Decision)
	req.Namespace = "payments"
	assert.Equal(t, judgement.Denied, judgement.Judge(p, req).Decision)
}

// kubectl debug: what the request adds is judged. A bad pod-level value counts only where the new
// ephemeral container inherits it, not because an earlier debug container did.
func TestEphemeralContainerInheritance(t *testing.T) {
	pod := compliantPod()
	pod.Spec.SecurityContext.SeccompProfile = unconfined()
	pod.Spec.Containers[0].SecurityContext.SeccompProfile = runtimeDefault()
	earlier := rules.Container{Name: "debugger-1", SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}}
	pod.Spec.EphemeralContainers = []rules.Container{earlier}

	debug := func(sc *corev1.SecurityContext) *judgement.Request {
		next := *pod
		next.Spec.EphemeralContainers = []rules.Container{earlier, {Name: "debugger-2", SecurityContext: sc}}
		req := updatePod(pod, &next)
		req.SubResource = "ephemeralcontainers"
		return req
	}

	v := judgement.Judge(policy.Default(), debug(&corev1.SecurityContext{AllowPrivilegeEscalation: new(false), SeccompProfile: runtimeDefault()}))
	assert.Equal(t, judgement.Allowed, v.Decision, "the new container overrides the pod's Unconfined profile: %v", v.Enforced)

	v = judgement.Judge(policy.Default(), debug(&corev1.SecurityContext{AllowPrivilegeEscalation: new(false)}))
	require.Equal(t, judgement.Denied, v.Decision)
	assert.Equal(t, []string{"seccomp-profile spec.securityContext.seccompProfile"}, found(v.Enforced))
	assert.Contains(t, v.Enforced[0].Problem, `"debugger-2"`)
}

// A warning for a missing setting names the containers it leaves unprotected, at most a few.
func TestUnsetEverywhereNamesContainers(t *testing.T) {
	var golden goldenMessages
	v := judgement.Judge(policy.Default(), createPod(legacyPod("web", "sidecar")))
	line := judgement.Line(v.Enforced[3])
	assert.Contains(t, line, "seccomp-profile")
	for _, c := range []string{"web", "sidecar"} {
		assert.Contains(t, line, strconv.Quote(c))
	}
	golden.add("two containers", line)

	v = judgement.Judge(policy.Default(), createPod(legacyPod("a", "b", "c", "d", "e", "f", "g")))
	warning := judgement.Warning(v.Enforced[len(v.Enforced)-2])
	assert.Contains(t, warning, "seccomp-profile")
	for _, c := range []string{"a", "b", "c", "d", "e"} {
		assert.Contains(t, warning, strconv.Quote(c))
	}
	for _, c := range []string{"f", "g"} {
		assert.NotContains(t, warning, strconv.Quote(c), "at most five containers are named")
	}
	golden.add("seven containers", warning)
	golden.check(t)
}
