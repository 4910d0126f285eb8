package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubeguard/kubeguard/check"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

var _ flag.Value = (*stringList)(nil)

func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", "check [--config FILE] [--at TIME] [-o text|json] PATH... (files, directories, - for stdin)", stderr)
	configPath := fs.String("config", "", configUsage())
	output := fs.String("o", "text", "output format: text or json")
	atFlag := fs.String("at", "", "judge as of this RFC 3339 timestamp (enforcement dates, time-boxed exemptions; default: now)")
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
	var at time.Time
	if *atFlag != "" {
		if at, err = time.Parse(time.RFC3339, *atFlag); err != nil {
			fmt.Fprintf(stderr, "kubeguard check: --at %q is not an RFC 3339 timestamp, like 2026-09-01T00:00:00Z\n", *atFlag)
			return exitUsage
		}
	}
	p, err := loadPolicy(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard check: invalid configuration: %v\n", err)
		return exitUsage
	}
	warnAboutConfig(stderr, "kubeguard check", *configPath, p)
	sources, err := check.Files(paths)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard check: %v\n", err)
		return exitUsage
	}

	results, errs := check.Run(p, sources, stdin, at)
	if *output == "json" {
		err = check.WriteJSON(stdout, results, errs, at)
	} else {
		err = check.WriteText(stdout, results, at)
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
