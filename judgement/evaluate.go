package judgement

import (
	"time"

	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// Result is what the rules found, split by what to do about it. Both are nil when nothing offends.
type Result struct {
	// Enforced violations deny the request.
	Enforced []rules.Violation
	// DryRun violations are warned about and recorded, never denied.
	DryRun []rules.Violation
	// Existing violations were already in the object an update replaces: allowed, warned about and
	// recorded, so that a workload that predates kubeguard can be fixed one rule at a time.
	Existing []rules.Violation
	// EnforceAfter holds, for the rules among DryRun that act as dry-run only until their enforcement
	// date, that date.
	EnforceAfter map[string]time.Time
}

// evaluatePod runs the enabled pod rules. allDryRun treats every enabled rule as dry-run (the dry-run
// webhook path, and dry-run users).
func evaluatePod(p *policy.Policy, pod *rules.Pod, allDryRun bool, now time.Time) Result {
	return evaluate(p, allDryRun, now, func(r *policy.Rule) []rules.Violation {
		if r.CheckPod == nil {
			return nil
		}
		return r.CheckPod(pod, &p.Options)
	})
}

// evaluateBinding runs the enabled binding rules.
func evaluateBinding(p *policy.Policy, b *rules.Binding, allDryRun bool, now time.Time) Result {
	return evaluate(p, allDryRun, now, func(r *policy.Rule) []rules.Violation {
		if r.CheckBinding == nil {
			return nil
		}
		return r.CheckBinding(b, &p.Options)
	})
}

// evaluateDisruptionBudget runs the enabled PodDisruptionBudget rules.
func evaluateDisruptionBudget(p *policy.Policy, b *rules.DisruptionBudget, allDryRun bool, now time.Time) Result {
	return evaluate(p, allDryRun, now, func(r *policy.Rule) []rules.Violation {
		if r.CheckDisruptionBudget == nil {
			return nil
		}
		return r.CheckDisruptionBudget(b, &p.Options)
	})
}

// evaluateOther runs the rules of a view that is not a pod's: a binding or a PodDisruptionBudget. A view
// none of them knows finds nothing.
func evaluateOther(p *policy.Policy, obj *objects.Object, allDryRun bool, now time.Time) Result {
	switch {
	case obj.Binding != nil:
		return evaluateBinding(p, obj.Binding, allDryRun, now)
	case obj.DisruptionBudget != nil:
		return evaluateDisruptionBudget(p, obj.DisruptionBudget, allDryRun, now)
	}
	return Result{}
}

// evaluate runs check for every rule that is not off, in the policy's order, and sorts what it finds by
// the mode each rule acts in at now.
func evaluate(p *policy.Policy, allDryRun bool, now time.Time, check func(r *policy.Rule) []rules.Violation) Result {
	var res Result
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.Mode == policy.Off {
			continue
		}
		vs := check(r)
		mode := r.ModeAt(now)
		if len(vs) > 0 && !allDryRun && r.Mode == policy.Enforce && mode == policy.DryRun {
			if res.EnforceAfter == nil {
				res.EnforceAfter = map[string]time.Time{}
			}
			res.EnforceAfter[r.ID] = r.EnforceAfter
		}
		res.add(vs, mode, allDryRun)
	}
	return res
}

// violated reports whether any rule found anything.
func (r *Result) violated() bool { return len(r.Enforced) > 0 || len(r.DryRun) > 0 }

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
