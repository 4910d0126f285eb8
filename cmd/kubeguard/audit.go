package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	openreports "github.com/openreports/reports-api/pkg/client/clientset/versioned"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubeguard/kubeguard/audit"
	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/rules"
)

func runAudit(args []string, stdout, stderr io.Writer) int {
	const synopsis = "audit [--kubeconfig FILE] [--context NAME] [-n NAMESPACE] [--config FILE] [--at TIME] [-o text|json] [--write-reports] [--fail-on-denied=false] [--upgrade [--target-version 1.NN]]"
	fs := newFlagSet("audit", synopsis, stderr)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the pod's service account in a cluster)")
	kubeContext := fs.String("context", "", "kubeconfig context to use (default: the current context)")
	namespace := fs.String("n", "", "audit only this namespace (default: every namespace and the cluster-scoped bindings)")
	configPath := fs.String("config", "", configUsage())
	output := fs.String("o", "text", "output format: text or json")
	atFlag := fs.String("at", "", "judge as of this RFC 3339 timestamp (enforcement dates, time-boxed exemptions; default: now)")
	failOnDenied := fs.Bool("fail-on-denied", true, "exit 1 when something would be denied; false for scheduled audits, whose findings are in the reports")
	writeReports := fs.Bool("write-reports", false, "also write the findings as OpenReports (a Report per namespace, a ClusterReport), replacing earlier ones;\n"+
		"a report of kubeguard's name without its managed-by label is left alone and reported as report-conflict")
	upgrade := fs.Bool("upgrade", false, "run only the upgrade checks ("+strings.Join(rules.UpgradeCheckIDs(), ", ")+"): can the cluster be upgraded now?\n"+
		"without it they run with the rules; --write-reports then replaces only their results in the reports")
	target := fs.String("target-version", "", "the Kubernetes version removed-api-in-use judges against, like 1.34 (default: the minor after the API server's)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: kubeguard %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
		fmt.Fprint(stderr, auditExitCodes)
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kubeguard audit: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	if *output != "text" && *output != "json" {
		fmt.Fprintf(stderr, "kubeguard audit: unknown output format %q (want text or json)\n", *output)
		return exitUsage
	}
	var at time.Time
	if *atFlag != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, *atFlag); err != nil {
			fmt.Fprintf(stderr, "kubeguard audit: --at %q is not an RFC 3339 timestamp, like 2026-09-01T00:00:00Z\n", *atFlag)
			return exitUsage
		}
	}
	p, err := loadPolicy(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard audit: invalid configuration: %v\n", err)
		return exitUsage
	}
	warnAboutConfig(stderr, "kubeguard audit", *configPath, p)
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = *kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: *kubeContext}).ClientConfig()
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard audit: cannot reach the cluster: %v\n", err)
		return exitUsage
	}
	// An audit sends a few dozen list requests; the client's default of 5 per second would make a large
	// cluster wait on the client rather than on the API server.
	cfg.QPS, cfg.Burst = 50, 100
	src, err := audit.NewAPISource(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard audit: cannot reach the cluster: %v\n", err)
		return exitUsage
	}
	server, err := audit.NewRESTAPIServer(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard audit: cannot reach the cluster: %v\n", err)
		return exitUsage
	}
	opts := audit.Options{Namespace: *namespace, At: at, Upgrade: *upgrade, TargetVersion: *target, APIServer: server}
	if isTerminal(stderr) {
		opts.Progress = stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	report, err := audit.Run(ctx, src, p, opts)
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard audit: %v\n", err)
		return exitUsage
	}
	// The reports are written first, so that the output names the reports left alone.
	var writeErr error
	if *writeReports {
		reports, err := openreports.NewForConfig(cfg)
		if err == nil {
			err = audit.WriteReports(ctx, reports, report, *namespace)
		}
		writeErr = err
	}
	if *output == "json" {
		err = audit.WriteJSON(stdout, report)
	} else {
		err = audit.WriteText(stdout, report)
	}
	if err != nil {
		fmt.Fprintf(stderr, "kubeguard audit: %v\n", err)
		return exitUsage
	}
	switch {
	case writeErr != nil:
		fmt.Fprintf(stderr, "kubeguard audit: writing reports: %v\n", writeErr)
		return exitUsage
	case report.ReportConflicts() > 0:
		fmt.Fprintf(stderr, "kubeguard audit: %d %s left alone: kubeguard does not own %s (%s)\n", report.ReportConflicts(),
			judgement.Plural(report.ReportConflicts(), "report", "reports"), judgement.Plural(report.ReportConflicts(), "it", "them"), audit.ConflictRule)
		return exitReportConflict
	case *failOnDenied && report.Denied():
		return exitViolations
	}
	return exitOK
}

// auditExitCodes ends kubeguard audit --help.
var auditExitCodes = fmt.Sprintf(`
Exit codes:
  0  nothing would be denied (or --fail-on-denied=false)
  1  something would be denied, or could not be read
  2  bad usage or configuration, the cluster could not be read, or a report could not be written
  3  every report was written but those of kubeguard's name it does not own (no label
     %s=%s): %s findings; this wins over 1
`, audit.ManagedByLabel, audit.ManagedBy, audit.ConflictRule)

// isTerminal reports whether w is a terminal, where progress lines help a person waiting; in a pipe or a
// log they are noise.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
