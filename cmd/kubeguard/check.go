package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kubeguard/kubeguard/rules"
	"github.com/kubeguard/kubeguard/webhook/objects"
	"github.com/kubeguard/kubeguard/webhook/policy"
)

// Decisions of the offline check, named as the webhook's metrics name them.
const (
	checkDenied  = "denied"
	checkWarned  = "warned"
	checkAllowed = "allowed"
	checkExempt  = "exempt"
	checkSkipped = "skipped" // a kind kubeguard does not judge
)

// checked is the verdict on one manifest.
type checked struct {
	manifest
	multiDoc bool
	obj      *objects.Object
	decision string
	result   policy.Result
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

var _ flag.Value = (*stringList)(nil)

func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", "check [--config FILE] [-o text|json] PATH... (files, directories, - for stdin)", stderr)
	configPath := fs.String("config", "", "configuration file (default: built-in defaults, every rule enforced)")
	output := fs.String("o", "text", "output format: text or json")
	var files stringList
	fs.Var(&files, "f", "file or directory to check (repeatable; same as a PATH argument)")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	paths = append(files, paths...)
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "kubeguard check: no files given (name files, directories, or - for standard input)")
		return exitUsage
	}
	if *output != "text" && *output != "json" {
		fmt.Fprintf(stderr, "kubeguard check: unknown output format %q (want text or json)\n", *output)
		return exitUsage
	}
	p, err := loadPolicy(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard check: invalid configuration: %v\n", err)
		return exitUsage
	}
	sources, err := manifestFiles(paths)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard check: %v\n", err)
		return exitUsage
	}

	var results []checked
	var errs []error
	for _, source := range sources {
		ms, multiDoc, readErrs := readSource(source, stdin)
		errs = append(errs, readErrs...)
		for _, m := range ms {
			c, err := checkManifest(p, m)
			if err != nil {
				errs = append(errs, &parseError{source: m.source, document: m.document, err: err})
				continue
			}
			c.multiDoc = multiDoc
			results = append(results, c)
		}
	}

	if *output == "json" {
		err = writeJSON(stdout, results, errs)
	} else {
		err = writeText(stdout, results)
	}
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard check: %v\n", err)
		return exitUsage
	}
	for _, e := range errs {
		fmt.Fprintf(stderr, "kubeguard check: %v\n", e)
	}
	switch {
	case len(errs) > 0:
		return exitUsage
	case countDecisions(results)[checkDenied] > 0:
		return exitViolations
	}
	return exitOK
}

func readSource(source string, stdin io.Reader) ([]manifest, bool, []error) {
	if source == "-" {
		return readManifests(source, stdin)
	}
	f, err := os.Open(source)
	if err != nil {
		return nil, false, []error{err}
	}
	defer f.Close()
	return readManifests(source, f)
}

// checkManifest judges one object as the webhook would judge its creation.
func checkManifest(p *policy.Policy, m manifest) (checked, error) {
	c := checked{manifest: m}
	kind, judged := objects.Lookup(m.gvk.GroupKind())
	if !judged {
		c.decision = checkSkipped
		return c, nil
	}
	obj, err := objects.Decode(kind, m.json)
	if err != nil {
		return c, err
	}
	c.obj = obj
	if obj.Namespace != "" && p.ExemptNamespace(obj.Namespace) {
		c.decision = checkExempt
		return c, nil
	}
	if obj.Pod != nil {
		c.result = p.EvaluatePod(obj.Pod, false)
	} else {
		c.result = p.EvaluateBinding(obj.Binding, false)
	}
	switch {
	case len(c.result.Enforced) > 0:
		c.decision = checkDenied
	case len(c.result.DryRun) > 0:
		c.decision = checkWarned
	default:
		c.decision = checkAllowed
	}
	return c, nil
}

func countDecisions(results []checked) map[string]int {
	counts := map[string]int{}
	for _, r := range results {
		counts[r.decision]++
	}
	return counts
}

// modeViolation is a violation with the mode it was found in, for the JSON report.
type modeViolation struct {
	rules.Violation
	Mode policy.Mode `json:"mode"`
}
