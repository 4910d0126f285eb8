package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kubeguard/kubeguard/objects"
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
	fmt.Fprintln(w, "RULE\tMODE\tDESCRIPTION")
	for _, r := range p.Rules {
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.ID, r.Mode, r.Doc)
	}
	if err := w.Flush(); err != nil {
		return exitUsage
	}
	var kinds []string
	for _, k := range objects.Kinds() {
		kinds = append(kinds, k.QualifiedResource().String())
	}
	fmt.Fprintf(stdout, "\nJudged: %s.\n", strings.Join(kinds, ", "))
	return exitOK
}
