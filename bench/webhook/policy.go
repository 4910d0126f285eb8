package main

import (
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// podRulesPolicyName names the ValidatingAdmissionPolicy and its binding.
const podRulesPolicyName = "bench-pod-rules"

// podRules are five of kubeguard's pod rules under their default settings (privileged, privilege-escalation,
// run-as-root, seccomp-profile, apparmor-profile), written in CEL for the API server to evaluate in process:
// what the webhook round trip costs is read against it. Each expression is true when a pod passes; `c` is
// one container of any of the three lists, and a container's own setting overrides the pod's, as in
// rules/inherited.go.
//
// It exists for the benchmark only and is not kept equal to the rules by any test: the benchmark checks only
// that it admits the compliant pod and refuses the non-compliant one (testdata/manifests), which break
// every one of the five. kubeguard's rules remain the one definition.
var podRules = []struct{ rule, expression string }{
	{"privileged", "!object.spec.?securityContext.?windowsOptions.?hostProcess.orValue(false) && " + everyContainer(
		"!c.?securityContext.?privileged.orValue(false) && !c.?securityContext.?windowsOptions.?hostProcess.orValue(false)")},
	// The next rules read Linux-only fields: Windows pods pass them.
	{"privilege-escalation", "variables.windows || " + everyContainer("c.?securityContext.?allowPrivilegeEscalation.orValue(true) == false")},
	// A pod in its own user namespace passes: UID 0 there is not root on the node.
	{"run-as-root", "object.spec.?hostUsers.orValue(true) == false || " + everyContainer(
		"c.?securityContext.?runAsNonRoot.orValue(object.spec.?securityContext.?runAsNonRoot.orValue(false)) && "+
			"c.?securityContext.?runAsUser.orValue(object.spec.?securityContext.?runAsUser.orValue(1)) != 0")},
	{"seccomp-profile", "variables.windows || " + everyContainer(
		profileOK("c.?securityContext.?seccompProfile.or(object.spec.?securityContext.?seccompProfile)"))},
	// The kubelet's order: the container's field, else the legacy per-container annotation, else the pod's field.
	{"apparmor-profile", "variables.windows || " + everyContainer(
		"c.?securityContext.?appArmorProfile.hasValue() ? "+profileOK("c.?securityContext.?appArmorProfile")+
			" : object.metadata.?annotations[?'"+appArmorAnnotation+"' + c.name].hasValue() ? "+
			annotationOK("object.metadata.annotations['"+appArmorAnnotation+"' + c.name]")+
			" : "+profileOK("object.spec.?securityContext.?appArmorProfile"))},
}

const appArmorAnnotation = "container.apparmor.security.beta.kubernetes.io/"

// profileOK is true when the optional seccomp or AppArmor profile p is RuntimeDefault, or Localhost with a
// profile named.
func profileOK(p string) string {
	return fmt.Sprintf("(%[1]s.?type.orValue('') == 'RuntimeDefault' || (%[1]s.?type.orValue('') == 'Localhost' && %[1]s.?localhostProfile.orValue('') != ''))", p)
}

// annotationOK is true when the legacy AppArmor annotation value a is runtime/default or names a Localhost
// profile.
func annotationOK(a string) string {
	return fmt.Sprintf("(%[1]s == 'runtime/default' || (%[1]s.startsWith('localhost/') && size(%[1]s) > %[2]d))", a, len("localhost/"))
}

// everyContainer applies the container expression, on c, to the init, regular and ephemeral containers.
func everyContainer(expr string) string {
	var parts []string
	for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
		parts = append(parts, fmt.Sprintf("(!has(object.spec.%[1]s) || object.spec.%[1]s.all(c, %[2]s))", list, expr))
	}
	return "(" + strings.Join(parts, " && ") + ")"
}

// podRulesPolicy is the ValidatingAdmissionPolicy of podRules and its binding, matching pods as kubeguard's
// webhook does: creates and updates, failurePolicy Fail, every namespace not labelled for dry-run.
func podRulesPolicy() (*admissionregistrationv1.ValidatingAdmissionPolicy, *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	validations := make([]admissionregistrationv1.Validation, len(podRules))
	for i, r := range podRules {
		validations[i] = admissionregistrationv1.Validation{
			Expression: r.expression,
			Message:    "violates " + r.rule,
			Reason:     ptr.To(metav1.StatusReasonForbidden),
		}
	}
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: podRulesPolicyName},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr.To(admissionregistrationv1.Fail),
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
						Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
					},
				}},
			},
			Variables:   []admissionregistrationv1.Variable{{Name: "windows", Expression: "object.spec.?os.?name.orValue('') == 'windows'"}},
			Validations: validations,
		},
	}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: podRulesPolicyName},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        podRulesPolicyName,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
			MatchResources: &admissionregistrationv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
				MatchExpressions: []metav1.LabelSelectorRequirement{{Key: framework.ModeLabel, Operator: metav1.LabelSelectorOpNotIn, Values: []string{framework.DryRunMode}}},
			}},
		},
	}
	return policy, binding
}
