package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubeguard/kubeguard/judgement"
)

// clusterScope is how the tally of cluster-scoped objects is named in the text report.
const clusterScope = "(cluster)"

// WriteText prints a table per namespace (objects judged, would be denied, warned, findings by rule),
// then one line per finding with its fix, then a summary.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tJUDGED\tWOULD BE DENIED\tWARNED\tFINDINGS BY RULE")
	for _, ns := range r.Namespaces {
		name := ns.Name
		if name == "" {
			name = clusterScope
		}
		if ns.Exempt {
			fmt.Fprintf(tw, "%s\texempt\t-\t-\t-\n", name)
			continue
		}
		if ns.DryRunLabel {
			name += " (dry-run label)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", name, ns.Judged, ns.Denied, ns.Warned, byRule(ns.Rules))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Findings) > 0 {
		b.WriteString("\n")
	}
	for _, f := range r.Findings {
		where := f.Namespace
		if where == "" {
			where = clusterScope
		}
		pods := ""
		if f.Pods > 0 {
			pods = fmt.Sprintf(" (%d %s)", f.Pods, judgement.Plural(f.Pods, "pod", "pods"))
		}
		fmt.Fprintf(&b, "%s %s %s/%s%s: %s\n", f.Decision, where, f.resource, f.Name, pods, f.Message)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "unreadable: %s\n", e)
	}
	s := r.summary()
	fmt.Fprintf(&b, "\n%d %s judged as creates%s: %d would be denied, %d allowed with warnings; %d %s exempt\n",
		s.Judged, judgement.Plural(s.Judged, "object", "objects"), judgement.AsOf(r.At), s.Denied, s.Warned, s.ExemptNamespaces, judgement.Plural(s.ExemptNamespaces, "namespace", "namespaces"))
	_, err := io.WriteString(w, b.String())
	return err
}

// byRule lists rules with their counts, most frequent first.
func byRule(counts map[string]int) string {
	if len(counts) == 0 {
		return "-"
	}
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if counts[ids[i]] != counts[ids[j]] {
			return counts[ids[i]] > counts[ids[j]]
		}
		return ids[i] < ids[j]
	})
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%s (%d)", id, counts[id])
	}
	return strings.Join(parts, ", ")
}

// Summary totals a report.
type Summary struct {
	Judged           int `json:"judged"`
	Denied           int `json:"denied"`
	Warned           int `json:"warned"`
	Findings         int `json:"findings"`
	ExemptNamespaces int `json:"exemptNamespaces"`
	Errors           int `json:"errors"`
}

func (r *Report) summary() Summary {
	s := Summary{Findings: len(r.Findings), Errors: len(r.Errors)}
	for _, ns := range r.Namespaces {
		if ns.Exempt {
			s.ExemptNamespaces++
		}
		s.Judged += ns.Judged
		s.Denied += ns.Denied
		s.Warned += ns.Warned
	}
	return s
}

// jsonReport is the -o json output.
type jsonReport struct {
	// Operation is what the objects were judged as: CREATE, what the webhook would see if they were
	// applied anew.
	Operation  string       `json:"operation"`
	At         string       `json:"at,omitempty"`
	Namespaces []*Namespace `json:"namespaces"`
	Findings   []Finding    `json:"findings"`
	Errors     []string     `json:"errors"`
	Summary    Summary      `json:"summary"`
}

// WriteJSON prints the report for tools.
func WriteJSON(w io.Writer, r *Report) error {
	out := jsonReport{Operation: "CREATE", Namespaces: r.Namespaces, Findings: r.Findings, Errors: r.Errors, Summary: r.summary()}
	if out.Namespaces == nil {
		out.Namespaces = []*Namespace{}
	}
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	if out.Errors == nil {
		out.Errors = []string{}
	}
	if !r.At.IsZero() {
		out.At = r.At.UTC().Format(time.RFC3339)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
