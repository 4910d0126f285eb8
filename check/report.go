package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// WriteText prints one paragraph per judged object, with the same words the webhook sends to kubectl (the
// dry-run lines in full, with their fixes), and a summary line that says how they were judged: as creates,
// and as of at when it is given.
func WriteText(w io.Writer, results []Result, at time.Time) error {
	var b strings.Builder
	for _, r := range results {
		if r.Decision == judgement.NotJudged {
			continue
		}
		loc := r.location(r.multiDoc)
		switch r.Decision {
		case judgement.Denied:
			fmt.Fprintf(&b, "%s: %s\n", loc, strings.ReplaceAll(r.Denial().Message, "\n", "\n  "))
		case judgement.Warned:
			fmt.Fprintf(&b, "%s: %s is allowed with %d dry-run %s:\n", loc, r.ObjectName(), len(r.DryRun), judgement.Plural(len(r.DryRun), "warning", "warnings"))
			for _, line := range r.DryRunLines() {
				fmt.Fprintf(&b, "  %s\n", line)
			}
		case judgement.Exempt:
			fmt.Fprintf(&b, "%s: %s is exempt (namespace %s)\n", loc, r.ObjectName(), r.Namespace)
		default:
			fmt.Fprintf(&b, "%s: %s is allowed\n", loc, r.ObjectName())
		}
	}
	n := countDecisions(results)
	fmt.Fprintf(&b, "%d %s checked as creates%s: %d denied, %d allowed with warnings, %d allowed, %d exempt, %d of kinds kubeguard does not judge\n",
		len(results), judgement.Plural(len(results), "object", "objects"), judgement.AsOf(at), n[judgement.Denied], n[judgement.Warned], n[judgement.Allowed], n[judgement.Exempt], n[judgement.NotJudged])
	_, err := io.WriteString(w, b.String())
	return err
}

func countDecisions(results []Result) map[judgement.Decision]int {
	counts := map[judgement.Decision]int{}
	for _, r := range results {
		counts[r.Decision]++
	}
	return counts
}

// jsonReport is the -o json output.
type jsonReport struct {
	// Operation is what the objects were judged as: CREATE, since a file has no earlier version.
	Operation string `json:"operation"`
	// At is the moment the verdicts were given for, when it is not the present.
	At      string         `json:"at,omitempty"`
	Objects []jsonObject   `json:"objects"`
	Errors  []string       `json:"errors"`
	Summary map[string]int `json:"summary"`
}

type jsonObject struct {
	Source     string             `json:"source"`
	Document   int                `json:"document"`
	Item       *int               `json:"item,omitempty"`
	APIVersion string             `json:"apiVersion"`
	Kind       string             `json:"kind"`
	Namespace  string             `json:"namespace,omitempty"`
	Name       string             `json:"name,omitempty"`
	Decision   judgement.Decision `json:"decision"`
	Violations []modeViolation    `json:"violations"`
}

// modeViolation is a violation with the mode it was found in.
type modeViolation struct {
	rules.Violation
	Mode policy.Mode `json:"mode"`
}

// WriteJSON prints the report for tools: every object with its decision and violations, the errors, and a
// count per decision.
func WriteJSON(w io.Writer, results []Result, errs []error, at time.Time) error {
	report := jsonReport{Operation: "CREATE", Objects: []jsonObject{}, Errors: []string{}, Summary: map[string]int{"checked": len(results)}}
	if !at.IsZero() {
		report.At = at.UTC().Format(time.RFC3339)
	}
	for d, n := range countDecisions(results) {
		report.Summary[string(d)] = n
	}
	for _, r := range results {
		o := jsonObject{
			Source:     r.source,
			Document:   r.document,
			APIVersion: r.gvk.GroupVersion().String(),
			Kind:       r.gvk.Kind,
			Decision:   r.Decision,
			Violations: []modeViolation{},
		}
		if r.item >= 0 {
			item := r.item
			o.Item = &item
		}
		if r.Verdict.Kind != nil {
			o.Namespace, o.Name = r.Namespace, r.Name
		}
		for _, v := range r.Enforced {
			o.Violations = append(o.Violations, modeViolation{Violation: v, Mode: policy.Enforce})
		}
		for _, v := range r.DryRun {
			o.Violations = append(o.Violations, modeViolation{Violation: v, Mode: policy.DryRun})
		}
		report.Objects = append(report.Objects, o)
	}
	for _, e := range errs {
		report.Errors = append(report.Errors, e.Error())
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(report)
}
