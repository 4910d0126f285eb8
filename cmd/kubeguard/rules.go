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
	warnAboutConfig(stderr, "kubeguard rules", *configPath, p)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "RULE\tMODE\tENFORCED FROM\tPROFILES\tDESCRIPTION")
	for _, r := range p.Rules {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Mode, enforcedFrom(&r), joinProfiles(&r.Rule), r.Doc)
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
	// An old version is a weaker policy, and one pinned long ago is easily forgotten: say so.
	if v := p.ProfileVersion; v != rules.Latest && v.Minor() < rules.LatestMinor {
		fmt.Fprintf(stdout, "\nNote: profileVersion %s judges pods by the Pod Security Standards of Kubernetes 1.%d, not the newest kubeguard knows (v1.%d, profileVersion: latest): checks added or tightened since do not apply.", v, v.Minor(), rules.LatestMinor)
	}
	fmt.Fprintf(stdout, "\nProfile: %s at Pod Security version %s (PROFILES lists the profiles that turn each rule on; (v1.N+): from that version on).\n", p.Profile, p.ProfileVersion.Describe())
	fmt.Fprintf(stdout, "Judged: %s.\n", strings.Join(kinds, ", "))

	// The audit checks judge the live cluster rather than a request: the webhook never runs them, and
	// their modes say how kubeguard audit reports what they find.
	fmt.Fprintf(stdout, "\nkubeguard audit also runs these checks (--upgrade runs only %s):\n", andList(rules.UpgradeCheckIDs()))
	w = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CHECK\tMODE\tENFORCED FROM\tPROFILES\tDESCRIPTION")
	for _, c := range p.Checks {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Mode, enforcedFrom(&c), joinProfiles(&c.Rule), c.Doc)
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

// joinProfiles renders the profiles that turn a rule on as "aks,restricted(v1.8+)": a Pod Security level
// that added the rule's check in a later version says from which.
func joinProfiles(r *rules.Rule) string {
	names := make([]string, len(r.Profiles))
	for i, p := range r.Profiles {
		names[i] = string(p)
		if since, ok := r.Since[p]; ok {
			names[i] += fmt.Sprintf("(v1.%d+)", since)
		}
	}
	return strings.Join(names, ",")
}

// andList joins words as a sentence does: "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
