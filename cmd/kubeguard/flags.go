package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// newFlagSet returns a flag set that reports errors instead of exiting, so run can return exit code 2.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: kubeguard %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterspersed parses flags that may come before, between or after positional arguments
// (kubeguard check examples/ -o json), returning the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// loadPolicy reads the configuration file, or returns the defaults when no file is named.
func loadPolicy(path string) (*policy.Policy, error) {
	if path == "" {
		return policy.Default(), nil
	}
	return policy.Load(path)
}

// configUsage is the --config flag's help: what runs without a file, counted from the default profile so
// that it stays true when rules or profiles change.
func configUsage() string {
	p := policy.Default()
	enforced := 0
	for _, r := range p.Rules {
		if r.Mode == policy.Enforce {
			enforced++
		}
	}
	return fmt.Sprintf("configuration file (default: built-in defaults, the %s profile: %d of the %d rules enforced, the others off)",
		rules.DefaultProfile, enforced, len(p.Rules))
}
