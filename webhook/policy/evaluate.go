package policy

import "github.com/kubeguard/kubeguard/rules"

// Result is what the rules found, split by what to do about it. Both are nil when nothing offends.
type Result struct {
	// Enforced violations deny the request.
	Enforced []rules.Violation
	// DryRun violations are warned about and recorded, never denied.
	DryRun []rules.Violation
}

// Empty reports whether nothing offends.
func (r Result) Empty() bool { return len(r.Enforced) == 0 && len(r.DryRun) == 0 }

// EvaluatePod runs the pod rules. allDryRun treats every enabled rule as dry-run (the dry-run webhook
// path, and dry-run users).
func (p *Policy) EvaluatePod(pod *rules.Pod, allDryRun bool) Result {
	var res Result
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.CheckPod == nil || r.Mode == Off {
			continue
		}
		res.add(r.CheckPod(pod, &p.Options), r.Mode, allDryRun)
	}
	return res
}

// EvaluateBinding runs the binding rules.
func (p *Policy) EvaluateBinding(b *rules.Binding, allDryRun bool) Result {
	var res Result
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.CheckBinding == nil || r.Mode == Off {
			continue
		}
		res.add(r.CheckBinding(b, &p.Options), r.Mode, allDryRun)
	}
	return res
}

func (r *Result) add(vs []rules.Violation, mode Mode, allDryRun bool) {
	if len(vs) == 0 {
		return
	}
	if mode == Enforce && !allDryRun {
		r.Enforced = append(r.Enforced, vs...)
	} else {
		r.DryRun = append(r.DryRun, vs...)
	}
}

// ModeOf returns the mode of a rule, and false when no rule has that ID.
func (p *Policy) ModeOf(id string) (Mode, bool) {
	for _, r := range p.Rules {
		if r.ID == id {
			return r.Mode, true
		}
	}
	return "", false
}
