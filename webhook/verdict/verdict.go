package verdict

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubeguard/kubeguard/rules"
)

// DryRunPrefix marks violations that are reported but not enforced.
const DryRunPrefix = "[dry-run] "

// AuditAnnotation is the key of the audit annotation listing dry-run violations; the API server stores it
// as "<webhook name>/dry-run-violations".
const AuditAnnotation = "dry-run-violations"

// Line renders one violation on one line:
//
//	<rule>: container "<name>": <field>: <problem>. Fix: <fix>
func Line(v rules.Violation) string {
	var b strings.Builder
	b.Grow(len(v.Rule) + len(v.Container) + len(v.Field) + len(v.Problem) + len(v.Fix) + 32)
	b.WriteString(v.Rule)
	b.WriteString(": ")
	if v.Container != "" {
		fmt.Fprintf(&b, "container %q: ", v.Container)
	}
	b.WriteString(v.Field)
	b.WriteString(": ")
	b.WriteString(v.Problem)
	b.WriteString(". Fix: ")
	b.WriteString(v.Fix)
	return b.String()
}

// Denial is the Forbidden status for a request with enforced violations. Its message starts with the object,
// as the API server's own denials do, then lists every enforced violation on its own line, then the dry-run
// ones marked as such, so that a developer can fix everything in one go. Details.Causes carry the enforced
// field paths for tools.
func Denial(resource schema.GroupResource, name string, enforced, dryRun []rules.Violation) *metav1.Status {
	var msg strings.Builder
	fmt.Fprintf(&msg, "violates %s:", countRules(enforced))
	causes := make([]metav1.StatusCause, 0, len(enforced))
	for _, v := range enforced {
		msg.WriteString("\n")
		msg.WriteString(Line(v))
		causes = append(causes, metav1.StatusCause{
			Type:    metav1.CauseType(field.ErrorTypeForbidden),
			Field:   v.Field,
			Message: Line(v),
		})
	}
	for _, v := range dryRun {
		msg.WriteString("\n")
		msg.WriteString(DryRunPrefix)
		msg.WriteString(Line(v))
	}
	status := apierrors.NewForbidden(resource, name, errors.New(msg.String())).Status()
	status.Details.Causes = causes
	return &status
}

// Warnings renders one warning per dry-run violation.
func Warnings(dryRun []rules.Violation) []string {
	out := make([]string, len(dryRun))
	for i, v := range dryRun {
		out[i] = DryRunPrefix + Line(v)
	}
	return out
}

// RuleIDs lists the distinct rule IDs of vs in order of first appearance, comma-separated: the value of the
// audit annotation.
func RuleIDs(vs []rules.Violation) string {
	var ids []string
	for _, v := range vs {
		if !slices.Contains(ids, v.Rule) {
			ids = append(ids, v.Rule)
		}
	}
	return strings.Join(ids, ",")
}

// countRules says "1 kubeguard rule" or "N kubeguard rules", counting distinct rules.
func countRules(vs []rules.Violation) string {
	n := len(strings.Split(RuleIDs(vs), ","))
	if n == 1 {
		return "1 kubeguard rule"
	}
	return fmt.Sprintf("%d kubeguard rules", n)
}
