package judgement

import (
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// Result is what the rules found, split by what to do about it. Both are nil when nothing offends.
type Result struct {
	// Enforced violations deny the request.
	Enforced []rules.Violation
	// DryRun violations are warned about and recorded, never denied.
	DryRun []rules.Violation
}

// evaluatePod runs the enabled pod rules. allDryRun treats every enabled rule as dry-run (the dry-run
// webhook path, and dry-run users).
func evaluatePod(p *policy.Policy, pod *rules.Pod, allDryRun bool) Result {
	return evaluate(p, allDryRun, func(r *policy.Rule) []rules.Violation {
		if r.CheckPod == nil {
			return nil
		}
		return r.CheckPod(pod, &p.Options)
	})
}

// evaluateBinding runs the enabled binding rules.
func evaluateBinding(p *policy.Policy, b *rules.Binding, allDryRun bool) Result {
	return evaluate(p, allDryRun, func(r *policy.Rule) []rules.Violation {
		if r.CheckBinding == nil {
			return nil
		}
		return r.CheckBinding(b, &p.Options)
	})
}

// evaluate runs check for every rule that is not off, in the policy's order, and sorts what it finds by
// mode.
func evaluate(p *policy.Policy, allDryRun bool, check func(r *policy.Rule) []rules.Violation) Result {
	var res Result
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.Mode == policy.Off {
			continue
		}
		res.add(check(r), r.Mode, allDryRun)
	}
	return res
}

func (r *Result) add(vs []rules.Violation, mode policy.Mode, allDryRun bool) {
	if len(vs) == 0 {
		return
	}
	if mode == policy.Enforce && !allDryRun {
		r.Enforced = append(r.Enforced, vs...)
	} else {
		r.DryRun = append(r.DryRun, vs...)
	}
}
