package judgement

import (
	"strings"

	"github.com/kubeguard/kubeguard/rules"
)

// identity is what makes two violations "the same" across an update: the rule, the container by name (""
// at pod level), the setting's path without list indexes, and what is wrong. Names rather than indexes, so
// that reordering containers or subjects changes nothing; the problem text, so that a value made worse
// (RuntimeDefault to Unconfined, a new User subject, whose name the problem carries) is new.
type identity struct {
	rule, container, field, problem string
}

// reach is a setting of one container, as far as a rule is concerned: which containers a pod-level value
// already left unprotected.
type reach struct {
	rule, setting, container string
}

func identityOf(v *rules.Violation) identity {
	return identity{rule: v.Rule, container: v.Container, field: withoutIndexes(v.Field), problem: v.Problem}
}

// ratchet moves to Existing the violations that before, the judgement of the object an update replaces,
// already has. What is left in Enforced and DryRun is what the update adds. Matching goes through maps:
// requests are untrusted, and a quadratic comparison of two long container lists would be a way to stall
// the webhook.
func (r *Result) ratchet(before *Result) {
	seen := make(map[identity]bool, len(before.Enforced)+len(before.DryRun))
	// reached: containers a pod-level value left unprotected; flagged: containers with a violation of
	// their own.
	reached, flagged := map[reach]bool{}, map[reach]bool{}
	for _, list := range [][]rules.Violation{before.Enforced, before.DryRun} {
		for i := range list {
			v := &list[i]
			seen[identityOf(v)] = true
			setting := settingName(v.Field)
			if v.Container != "" {
				flagged[reach{v.Rule, setting, v.Container}] = true
			}
			for _, c := range v.Affected {
				reached[reach{v.Rule, setting, c}] = true
			}
		}
	}
	existing := func(v *rules.Violation) bool {
		if seen[identityOf(v)] {
			return true
		}
		// The same setting may move between the pod and its containers: a container that was left
		// unprotected by the pod may stay unprotected on its own, and a pod-level violation that reaches
		// only containers that were already unprotected adds nothing.
		setting := settingName(v.Field)
		if v.Container != "" {
			return reached[reach{v.Rule, setting, v.Container}]
		}
		if len(v.Affected) == 0 {
			return false
		}
		for _, c := range v.Affected {
			if k := (reach{v.Rule, setting, c}); !reached[k] && !flagged[k] {
				return false
			}
		}
		return true
	}
	r.Enforced = r.split(r.Enforced, existing)
	r.DryRun = r.split(r.DryRun, existing)
}

// split keeps the violations that are not existing, appending the others to Existing.
func (r *Result) split(vs []rules.Violation, existing func(v *rules.Violation) bool) []rules.Violation {
	var kept []rules.Violation
	for i := range vs {
		if existing(&vs[i]) {
			r.Existing = append(r.Existing, vs[i])
		} else {
			kept = append(kept, vs[i])
		}
	}
	return kept
}

// withoutIndexes drops the numbers between brackets: containers[3].securityContext becomes
// containers[].securityContext. Keys between brackets (annotations) stay.
func withoutIndexes(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	b.Grow(len(path))
	for i := 0; i < len(path); i++ {
		b.WriteByte(path[i])
		if path[i] != '[' {
			continue
		}
		j := i + 1
		for j < len(path) && path[j] >= '0' && path[j] <= '9' {
			j++
		}
		if j > i+1 && j < len(path) && path[j] == ']' {
			i = j - 1
		}
	}
	return b.String()
}
