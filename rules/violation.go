package rules

// Violation is one offending field: what a developer must change, and where.
type Violation struct {
	// Rule is the ID of the rule that found it.
	Rule string `json:"rule"`
	// Field is the path from the object's root, e.g. spec.template.spec.containers[0].securityContext.privileged.
	Field string `json:"field"`
	// Container names the container concerned; empty for pod-level fields and bindings.
	Container string `json:"container,omitempty"`
	// Problem says what is wrong with the field, e.g. "is true".
	Problem string `json:"problem"`
	// Fix says what to set instead.
	Fix string `json:"fix"`
	// Affected names, for a pod-level field, the containers it leaves unprotected: those that inherit its
	// value, or all of them when the setting is missing everywhere. Empty for a container's own field.
	Affected []string `json:"affected,omitempty"`
	// Identity is what the violation is about, for ratcheting updates: the containers it reaches and the
	// offending values, compared instead of the texts above.
	Identity Identity `json:"-"`
}
