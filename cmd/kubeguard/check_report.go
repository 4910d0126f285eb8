package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/kubeguard/kubeguard/webhook/policy"
	"github.com/kubeguard/kubeguard/webhook/verdict"
)

// writeText prints one paragraph per judged object, with the same words the webhook sends to kubectl, and a
// summary line.
func writeText(w io.Writer, results []checked) error {
	var b strings.Builder
	for _, r := range results {
		if r.decision == checkSkipped {
			continue
		}
		loc := r.location(r.multiDoc)
		object := objectName(r)
		switch r.decision {
		case checkDenied:
			msg := verdict.Denial(r.obj.Kind.QualifiedResource(), r.obj.Name, r.result.Enforced, r.result.DryRun).Message
			fmt.Fprintf(&b, "%s: %s\n", loc, strings.ReplaceAll(msg, "\n", "\n  "))
		case checkWarned:
			fmt.Fprintf(&b, "%s: %s is allowed with %d dry-run %s:\n", loc, object, len(r.result.DryRun), plural(len(r.result.DryRun), "warning", "warnings"))
			for _, line := range verdict.Warnings(r.result.DryRun) {
				fmt.Fprintf(&b, "  %s\n", line)
			}
		case checkExempt:
			fmt.Fprintf(&b, "%s: %s is exempt (namespace %s)\n", loc, object, r.obj.Namespace)
		default:
			fmt.Fprintf(&b, "%s: %s is allowed\n", loc, object)
		}
	}
	n := countDecisions(results)
	fmt.Fprintf(&b, "%d %s checked: %d denied, %d allowed with warnings, %d allowed, %d exempt, %d of kinds kubeguard does not judge\n",
		len(results), plural(len(results), "object", "objects"), n[checkDenied], n[checkWarned], n[checkAllowed], n[checkExempt], n[checkSkipped])
	_, err := io.WriteString(w, b.String())
	return err
}

// objectName names an object as the API server does: deployments.apps "web".
func objectName(r checked) string {
	return fmt.Sprintf("%s %q", r.obj.Kind.QualifiedResource().String(), r.obj.Name)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// jsonReport is the -o json output.
type jsonReport struct {
	Objects []jsonObject   `json:"objects"`
	Errors  []string       `json:"errors"`
	Summary map[string]int `json:"summary"`
}

type jsonObject struct {
	Source     string          `json:"source"`
	Document   int             `json:"document"`
	Item       *int            `json:"item,omitempty"`
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Namespace  string          `json:"namespace,omitempty"`
	Name       string          `json:"name,omitempty"`
	Decision   string          `json:"decision"`
	Violations []modeViolation `json:"violations"`
}

func writeJSON(w io.Writer, results []checked, errs []error) error {
	report := jsonReport{Objects: []jsonObject{}, Errors: []string{}, Summary: countDecisions(results)}
	report.Summary["checked"] = len(results)
	for _, r := range results {
		o := jsonObject{
			Source:     r.source,
			Document:   r.document,
			APIVersion: r.gvk.GroupVersion().String(),
			Kind:       r.gvk.Kind,
			Decision:   r.decision,
			Violations: []modeViolation{},
		}
		if r.item >= 0 {
			item := r.item
			o.Item = &item
		}
		if r.obj != nil {
			o.Namespace, o.Name = r.obj.Namespace, r.obj.Name
		}
		for _, v := range r.result.Enforced {
			o.Violations = append(o.Violations, modeViolation{Violation: v, Mode: policy.Enforce})
		}
		for _, v := range r.result.DryRun {
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
