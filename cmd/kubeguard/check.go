package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kubeguard/kubeguard/check"
)

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
	sources, err := check.Files(paths)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard check: %v\n", err)
		return exitUsage
	}

	results, errs := check.Run(p, sources, stdin)
	if *output == "json" {
		err = check.WriteJSON(stdout, results, errs)
	} else {
		err = check.WriteText(stdout, results)
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
	case check.Denied(results):
		return exitViolations
	}
	return exitOK
}
