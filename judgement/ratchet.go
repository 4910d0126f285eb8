package judgement

import (
	"github.com/kubeguard/kubeguard/rules"
)

/*
Ratcheting an update (updates: ratchet) allows what the object an update replaces already broke, and
denies what the update adds. Its reference semantics:

  - A violation has keys (rules.Violation.Keys): one per container it reaches and offending value, each
    key made of
      - the rule;
      - the container: its kind and its name. The kinds are init, sidecar (an init container with
        restartPolicy: Always, which runs for the pod's whole life), regular and ephemeral: a container
        that moves from one kind to another (an init container made regular or a sidecar) is a new
        container. A pod-level value is keyed once per container it reaches (all of them for hostNetwork,
        a HostProcess pod or a sysctl; those that inherit it for runAsUser and the other inherited
        settings; those that mount it for a volume), so a new container that inherits it is new;
      - the setting: the field path without list indexes (so that reordering changes nothing); for the
        settings a container inherits from the pod, the setting's name whether the value is set at the
        pod, the container or in an annotation, so that fixing one container of several, or moving a
        value between the pod and its containers, keeps what it already was;
      - the offending value, in a canonical form: "unset", "Unconfined", "0", one capability, a hostPath
        with its path and whether it is mounted writable, a bound subject and its role. A weaker value is
        another value: unset to Unconfined, a non-root UID to 0, a read-only /var/log/app to a writable /.
  - A violation of the new object is existing when every one of its keys is a key of a violation of the
    old object, judged by the same policy, requester and moment; otherwise it is new. The update is
    allowed (with warnings) when none is new, so:
        allowed(update) == keys(violations(new)) ⊆ keys(violations(old))
    for every profile and configuration. Messages play no part: they are for people, and they are
    shortened ("… and 1 more") where keys are not.

How it could be abused, and why it holds: an attacker with the right to update a legacy object wants a
change that widens access to look like one it already had. A new container, one renamed or moved to
another kind, a pod-level value that reaches one more container, a value made weaker, and a volume
mounted more widely or by another container all have keys the old object did not have. Keys come from
the rules, which read only the decoded view, so no text of the request's choosing can match an old key
by accident. Matching goes through a map: a quadratic comparison of two long container lists would be a
way to stall the webhook.
*/

// ratchet moves to Existing the violations that before, the judgement of the object an update replaces,
// already has. What is left in Enforced and DryRun is what the update adds.
func (r *Result) ratchet(before *Result) {
	seen := make(map[rules.Key]bool, len(before.Enforced)+len(before.DryRun))
	for _, list := range [][]rules.Violation{before.Enforced, before.DryRun} {
		for i := range list {
			for _, k := range list[i].Keys() {
				seen[k] = true
			}
		}
	}
	existing := func(v *rules.Violation) bool {
		for _, k := range v.Keys() {
			if !seen[k] {
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
