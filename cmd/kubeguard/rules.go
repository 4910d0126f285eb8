package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

func runRules(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("rules", "rules [--config FILE]", stderr)
	configPath := fs.String("config", "", "configuration file whose modes to show (default: built-in defaults)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	p, err := loadPolicy(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard: invalid configuration: %v\n", err)
		return exitUsage
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RULE\tMODE\tENFORCED FROM\tPROFILES\tDESCRIPTION")
	for _, r := range p.Rules {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Mode, enforcedFrom(&r), joinProfiles(r.Profiles), r.Doc)
	}
	if err := w.Flush(); err != nil {
		return exitUsage
	}
	var kinds []string
	for _, k := range objects.Kinds() {
		kinds = append(kinds, k.QualifiedResource().String())
	}
	for _, d := range p.FarAhead(time.Now()) {
		name := ""
		if d.Name != "" {
			name = fmt.Sprintf(" (%s)", d.Name)
		}
		fmt.Fprintf(stdout, "\nNote: %s%s is %s, more than %d years ahead: check it is meant.", d.Key, name, d.At.UTC().Format(time.RFC3339), policy.FarAheadAfter)
	}
	fmt.Fprintf(stdout, "\nProfile: %s (PROFILES lists the profiles that turn each rule on).\n", p.Profile)
	fmt.Fprintf(stdout, "Judged: %s.\n", strings.Join(kinds, ", "))

	// The audit checks judge the live cluster rather than a request: the webhook never runs them, and
	// their modes say how kubeguard audit reports what they find.
	fmt.Fprintln(stdout, "\nkubeguard audit also runs these checks (--upgrade runs only drain-blocked, unmanaged-pod and removed-api-in-use):")
	w = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CHECK\tMODE\tENFORCED FROM\tPROFILES\tDESCRIPTION")
	for _, c := range p.Checks {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Mode, enforcedFrom(&c), joinProfiles(c.Profiles), c.Doc)
	}
	if err := w.Flush(); err != nil {
		return exitUsage
	}
	return exitOK
}

// enforcedFrom shows when an enforced rule starts to deny: "-" for a rule that is not enforced, "always"
// for one without a date.
func enforcedFrom(r *policy.Rule) string {
	switch {
	case r.Mode != policy.Enforce:
		return "-"
	case r.EnforceAfter.IsZero():
		return "always"
	}
	return r.EnforceAfter.UTC().Format(time.RFC3339)
}

// joinProfiles renders profiles as "aks,baseline".
func joinProfiles(profiles []rules.Profile) string {
	names := make([]string, len(profiles))
	for i, p := range profiles {
		names[i] = string(p)
	}
	return strings.Join(names, ",")
}
