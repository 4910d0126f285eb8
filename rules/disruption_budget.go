package rules

import (
	"k8s.io/apimachinery/pkg/util/intstr"
)

// DisruptionBudget is what the disruption budget rules read of a PodDisruptionBudget's spec. The API server
// allows at most one of the two to be set; the rules judge whichever are.
type DisruptionBudget struct {
	MinAvailable   *intstr.IntOrString `json:"minAvailable,omitempty"`
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
}

// SameInputs reports whether b and c set the same minAvailable and maxUnavailable.
func (b *DisruptionBudget) SameInputs(c *DisruptionBudget) bool {
	return sameIntOrString(b.MinAvailable, c.MinAvailable) && sameIntOrString(b.MaxUnavailable, c.MaxUnavailable)
}

func sameIntOrString(a, b *intstr.IntOrString) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
