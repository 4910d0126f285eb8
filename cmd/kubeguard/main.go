// Command kubeguard is a Kubernetes validating admission webhook that enforces the AKS cluster-security
// best practices, and an offline checker that applies the same rules to manifests.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time (-ldflags -X main.version=...).
var version = "dev"

// Exit codes shared by the subcommands.
const (
	exitOK         = 0
	exitViolations = 1
	exitUsage      = 2
	// exitReportConflict: kubeguard audit --write-reports wrote every report but those of names it does
	// not own (report-conflict findings), which it left alone.
	exitReportConflict = 3
)

const usage = `kubeguard enforces AKS cluster-security best practices on pods, workloads and RBAC bindings.

Usage:
  kubeguard serve   [flags]                 serve the validating admission webhook
  kubeguard check   [flags] PATH...         check manifests offline (files, directories, - for stdin)
  kubeguard audit   [flags]                 judge what already runs in a cluster, as if it were created today
  kubeguard rules   [--config FILE]         list the rules and their effective modes
  kubeguard version                         print the version

Run "kubeguard <command> --help" for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "serve":
		return runServe(args[1:], stderr)
	case "check":
		return runCheck(args[1:], stdin, stdout, stderr)
	case "audit":
		return runAudit(args[1:], stdout, stderr)
	case "rules":
		return runRules(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "kubeguard", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "kubeguard: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
