package rules

import (
	"k8s.io/apimachinery/pkg/api/equality"
)

// SameInputs reports whether every field the pod rules read is equal in p and q, so that an update from one
// to the other cannot change a verdict or what a violation is about. It compares the Pod view whole, the
// one place that says what the rules read: a rule is given nothing else, so a value a rule reads (a
// hostPath's path, a mount's readOnly, an init container's restartPolicy) is in the view and compared
// here, without a list of fields to keep in step. Only where it sits (Path) does not count, and of the
// annotations only those ReadsAnnotation names: others (a restart timestamp, a team label) do not concern
// the rules.
func (p *Pod) SameInputs(q *Pod) bool {
	if !equality.Semantic.DeepEqual(p.Spec, q.Spec) {
		return false
	}
	return sameRuleAnnotations(p.Annotations, q.Annotations) && sameRuleAnnotations(q.Annotations, p.Annotations)
}

// sameRuleAnnotations reports whether every annotation of a that a rule reads is in b with the same value.
func sameRuleAnnotations(a, b map[string]string) bool {
	for k, v := range a {
		if !ReadsAnnotation(k) {
			continue
		}
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// SameInputs reports whether b and c bind the same role to the same subjects in the same order.
func (b *Binding) SameInputs(c *Binding) bool {
	return b.RoleRef == c.RoleRef && equality.Semantic.DeepEqual(b.Subjects, c.Subjects)
}
