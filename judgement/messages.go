package judgement

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubeguard/kubeguard/rules"
)

// DryRunPrefix marks violations that are reported but not enforced.
const DryRunPrefix = "[dry-run] "

// ExistingPrefix marks violations an update carries over from the object it replaces: allowed, so that a
// workload that predates kubeguard can be fixed one rule at a time.
const ExistingPrefix = "[existing] "

// Audit annotation keys; the API server stores each as "<webhook name>/<key>".
const (
	// AuditViolations lists the rule IDs of the dry-run violations, comma-separated.
	AuditViolations = "dry-run-violations"
	// AuditMessages holds the dry-run violations' full lines, with their fixes, one per line.
	AuditMessages = "dry-run-messages"
	// AuditExistingViolations lists the rule IDs of the violations an update carries over.
	AuditExistingViolations = "existing-violations"
	// AuditExistingMessages holds the carried-over violations' full lines, one per line.
	AuditExistingMessages = "existing-messages"
)

// Warning lengths. kubectl prints each warning as one line, and the API server asks webhooks to keep them
// under 120 characters where possible; it may cut longer ones at 256.
const maxWarning = 256

// How much of a verdict an answer carries. A crafted request can break rules thousands of times; the answer
// stays small and quick to write, and a developer fixes the first ones before reading the rest anyway.
// kubeguard check -o json lists every violation.
const (
	// maxListed is the most violations a denial, its causes or the audit annotation list.
	maxListed = 50
	// maxWarnings is the most warnings one answer carries, the last one saying how many more there are.
	maxWarnings = 20
	// maxLine bounds one line of a message; the names in it come from the request.
	maxLine = 1024
)

// Line renders one violation on one line, with its full field path and its fix, cut at maxLine bytes:
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
	return truncate(b.String(), maxLine)
}

// Warning renders a dry-run violation as a short warning: the rule, where, and what is wrong, without the
// path's prefix or the fix, which the audit annotation and kubeguard check carry.
//
//	[dry-run] <rule>: container "<name>": <setting> <problem>
func Warning(v rules.Violation) string {
	return warning(DryRunPrefix, v)
}

func warning(prefix string, v rules.Violation) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString(v.Rule)
	b.WriteString(": ")
	if v.Container != "" {
		fmt.Fprintf(&b, "container %q: ", v.Container)
	}
	b.WriteString(settingName(v.Field))
	b.WriteString(" ")
	b.WriteString(v.Problem)
	return truncate(b.String(), maxWarning)
}

// settingName is the last element of a field path, the setting a developer looks for: "runAsNonRoot" of
// spec.template.spec.securityContext.runAsNonRoot, "subjects[2]", and "annotation" for an annotation,
// whose key the container's name already tells.
func settingName(path string) string {
	if strings.HasSuffix(path, "]") {
		if open := strings.LastIndex(path, ".annotations["); open >= 0 {
			return "annotation"
		}
	}
	// The last "." that is not inside a [key].
	depth := 0
	for i := len(path) - 1; i >= 0; i-- {
		switch path[i] {
		case ']':
			depth++
		case '[':
			depth--
		case '.':
			if depth == 0 {
				return path[i+1:]
			}
		}
	}
	return path
}

// truncate cuts s to at most n bytes, on a UTF-8 boundary, marking the cut with "...".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("...")
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Denial is the Forbidden status for a request with enforced violations. Its message starts with the object,
// as the API server's own denials do, then lists every enforced violation on its own line, then the dry-run
// ones marked as such, so that a developer can fix everything in one go. Details.Causes carry the enforced
// field paths for tools.
func (v *Verdict) Denial() *metav1.Status {
	var msg strings.Builder
	fmt.Fprintf(&msg, "violates %s:", countRules(v.Enforced))
	shown := min(len(v.Enforced), maxListed)
	causes := make([]metav1.StatusCause, 0, shown)
	for _, e := range v.Enforced[:shown] {
		line := Line(e)
		msg.WriteString("\n")
		msg.WriteString(line)
		causes = append(causes, metav1.StatusCause{
			Type:    metav1.CauseType(field.ErrorTypeForbidden),
			Field:   e.Field,
			Message: line,
		})
	}
	dryRun := min(len(v.DryRun), maxListed-shown)
	for _, line := range v.dryRunLines(dryRun) {
		msg.WriteString("\n")
		msg.WriteString(line)
	}
	if more := len(v.Enforced) + len(v.DryRun) - shown - dryRun; more > 0 {
		fmt.Fprintf(&msg, "\n... and %d more %s (kubeguard check -o json lists them all)", more, Plural(more, "violation", "violations"))
	}
	status := apierrors.NewForbidden(v.Kind.QualifiedResource(), v.Name, errors.New(msg.String())).Status()
	status.Details.Causes = causes
	return &status
}

// Warnings are the short warnings of an allowed request, one per dry-run violation, at most maxWarnings. A
// denial carries none: its message already lists the dry-run violations.
func (v *Verdict) Warnings() []string {
	if v.Decision != Warned {
		return nil
	}
	all := len(v.DryRun) + len(v.Existing)
	shown := all
	if shown > maxWarnings {
		shown = maxWarnings - 1
	}
	out := make([]string, 0, shown+1)
	for _, d := range v.DryRun[:min(len(v.DryRun), shown)] {
		out = append(out, warning(v.dryRunPrefix(d.Rule), d))
	}
	for _, e := range v.Existing[:min(len(v.Existing), shown-len(out))] {
		out = append(out, warning(ExistingPrefix, e))
	}
	if more := all - shown; more > 0 {
		prefix := DryRunPrefix
		if len(v.DryRun) == 0 {
			prefix = ExistingPrefix
		}
		out = append(out, fmt.Sprintf("%s... and %d more %s (kubeguard check -o json lists them all)", prefix, more, Plural(more, "violation", "violations")))
	}
	return out
}

// dryRunPrefix marks a dry-run violation, with the date its rule is enforced from when it has one.
func (v *Verdict) dryRunPrefix(rule string) string {
	if at, ok := v.EnforceAfter[rule]; ok {
		return "[dry-run until " + at.UTC().Format(time.RFC3339) + "] "
	}
	return DryRunPrefix
}

// dryRunLines are the full lines of the first limit dry-run violations, marked as such.
func (v *Verdict) dryRunLines(limit int) []string {
	n := min(len(v.DryRun), limit)
	out := make([]string, n)
	for i, d := range v.DryRun[:n] {
		out[i] = v.dryRunPrefix(d.Rule) + Line(d)
	}
	return out
}

// DryRunLines are the full lines of every dry-run violation, marked as such: what kubeguard check prints.
func (v *Verdict) DryRunLines() []string { return v.dryRunLines(len(v.DryRun)) }

// existingLines are the full lines of the first limit violations an update carries over, marked as such.
func (v *Verdict) existingLines(limit int) []string {
	n := min(len(v.Existing), limit)
	out := make([]string, n)
	for i, e := range v.Existing[:n] {
		out[i] = ExistingPrefix + Line(e)
	}
	return out
}

// ExistingLines are the full lines of every violation an update carries over, marked as such.
func (v *Verdict) ExistingLines() []string { return v.existingLines(len(v.Existing)) }

// AuditAnnotations record the dry-run and carried-over violations in the API server's audit log, for a
// denied request too, each list at most maxListed lines; nil when there are none.
func (v *Verdict) AuditAnnotations() map[string]string {
	if len(v.DryRun) == 0 && len(v.Existing) == 0 {
		return nil
	}
	out := make(map[string]string, 4)
	if len(v.DryRun) > 0 {
		out[AuditViolations] = ruleIDs(v.DryRun)
		out[AuditMessages] = boundedLines(v.dryRunLines(maxListed), len(v.DryRun))
	}
	if len(v.Existing) > 0 {
		out[AuditExistingViolations] = ruleIDs(v.Existing)
		out[AuditExistingMessages] = boundedLines(v.existingLines(maxListed), len(v.Existing))
	}
	return out
}

// boundedLines joins the lines shown of total, saying how many more there are.
func boundedLines(lines []string, total int) string {
	if more := total - len(lines); more > 0 {
		lines = append(lines, fmt.Sprintf("... and %d more", more))
	}
	return strings.Join(lines, "\n")
}

// ObjectName names the object as the API server does in messages: deployments.apps "web".
func (v *Verdict) ObjectName() string {
	return fmt.Sprintf("%s %q", v.Kind.QualifiedResource().String(), v.Name)
}

// EnforcedRules lists the distinct rules of the enforced violations, comma-separated.
func (v *Verdict) EnforcedRules() string { return ruleIDs(v.Enforced) }

// ruleIDs lists the distinct rule IDs of vs in order of first appearance, comma-separated.
func ruleIDs(vs []rules.Violation) string {
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
	n := len(strings.Split(ruleIDs(vs), ","))
	if n == 1 {
		return "1 kubeguard rule"
	}
	return fmt.Sprintf("%d kubeguard rules", n)
}

// Plural picks one or many by n, for the counts reports and messages give.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// AsOf names the moment verdicts were given for, when it is not the present: " as of <RFC 3339 time>".
func AsOf(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return " as of " + at.UTC().Format(time.RFC3339)
}
