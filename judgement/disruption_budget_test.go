package judgement_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

var pdbKind = schema.GroupKind{Group: "policy", Kind: "PodDisruptionBudget"}

// pdbDocument is a PodDisruptionBudget named web with the given budget.
func pdbDocument(minAvailable, maxUnavailable *intstr.IntOrString) *objects.Document {
	d := &objects.Document{}
	d.Metadata.Name = "web"
	d.Spec.DisruptionBudget = rules.DisruptionBudget{MinAvailable: minAvailable, MaxUnavailable: maxUnavailable}
	return d
}

// A PodDisruptionBudget goes through the same modes, exemptions and ratcheting as every judged kind.
func TestJudgeDisruptionBudget(t *testing.T) {
	zero, one, all := intstr.FromInt32(0), intstr.FromInt32(1), intstr.FromString("100%")
	judge := func(p *policy.Policy, req judgement.Request) judgement.Verdict {
		req.Kind, req.Namespace, req.User = pdbKind, "shop", "dev"
		if req.Operation == "" {
			req.Operation = admissionv1.Create
		}
		return judgement.Judge(p, &req)
	}

	v := judge(policy.Default(), judgement.Request{Object: pdbDocument(nil, &zero)})
	assert.Equal(t, judgement.Denied, v.Decision)
	assert.Equal(t, []string{"pdb-allows-disruption spec.maxUnavailable"}, found(v.Enforced))
	assert.Equal(t, "web", v.Name)

	v = judge(policy.Default(), judgement.Request{Object: pdbDocument(nil, &one)})
	assert.Equal(t, judgement.Allowed, v.Decision)

	v = judge(policy.Default(), judgement.Request{Object: pdbDocument(&all, nil), AllDryRun: true})
	assert.Equal(t, judgement.Warned, v.Decision, "the dry-run path warns")
	assert.Equal(t, []string{"pdb-allows-disruption spec.minAvailable"}, found(v.DryRun))

	off, err := policy.Parse([]byte("rules:\n  pdb-allows-disruption: {mode: off}\n"))
	assert.NoError(t, err)
	v = judge(off, judgement.Request{Object: pdbDocument(nil, &zero)})
	assert.Equal(t, judgement.Allowed, v.Decision, "the rule turned off")

	exempt, err := policy.Parse([]byte("exemptions:\n  namespaces: [shop]\n"))
	assert.NoError(t, err)
	v = judge(exempt, judgement.Request{Object: pdbDocument(nil, &zero)})
	assert.Equal(t, judgement.Exempt, v.Decision)

	// An update that keeps an existing budget (a label change) is allowed; one that keeps the blocking
	// value while changing the other field is warned about, not denied; one that makes it block is denied.
	v = judge(policy.Default(), judgement.Request{Operation: admissionv1.Update, OldObject: pdbDocument(nil, &zero), Object: pdbDocument(nil, &zero)})
	assert.Equal(t, judgement.Allowed, v.Decision)
	v = judge(policy.Default(), judgement.Request{Operation: admissionv1.Update, OldObject: pdbDocument(&all, &zero), Object: pdbDocument(nil, &zero)})
	assert.Equal(t, judgement.Warned, v.Decision)
	assert.Equal(t, []string{"pdb-allows-disruption spec.maxUnavailable"}, found(v.Existing))
	v = judge(policy.Default(), judgement.Request{Operation: admissionv1.Update, OldObject: pdbDocument(nil, &one), Object: pdbDocument(nil, &zero)})
	assert.Equal(t, judgement.Denied, v.Decision)
	v = judge(policy.Default(), judgement.Request{Operation: admissionv1.Update, OldObject: pdbDocument(nil, &zero), Object: pdbDocument(nil, &one)})
	assert.Equal(t, judgement.Allowed, v.Decision, "fixing the budget")
}
