// Command auditbench (bench/audit) measures kubeguard audit on a large cluster: `make bench` runs it. It starts etcd
// and kube-apiserver alone (no controllers, so nothing adds or removes objects while it measures),
// fills them directly with Deployments, the ReplicaSets and Pods they control, and RoleBindings, then
// runs bin/kubeguard audit as a process and reports its wall time, its peak resident memory and the
// objects it read per second against the targets; then what the upgrade checks add to it, measured in
// the same run against the same audit with them off, and the upgrade checks alone (--upgrade).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kubeguard/kubeguard/e2e/framework"
	"github.com/kubeguard/kubeguard/rules"
)

// The targets of an audit of the default cluster.
const (
	maxSeconds = 10
	maxRSSMiB  = 150
	// maxUpgradeExtraPercent is what the upgrade checks may add to the audit's CPU time.
	maxUpgradeExtraPercent = 20
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "auditbench:", err)
		os.Exit(1)
	}
}

// rounds is how many times each audit runs.
var rounds int

func run(ctx context.Context) error {
	var size clusterSize
	out := flag.String("out", "bin/bench/audit", "directory for the control plane's files and logs")
	flag.IntVar(&size.deployments, "deployments", 2000, "Deployments, each with one ReplicaSet")
	flag.IntVar(&size.podsPerDeployment, "pods-per-deployment", 5, "Pods each ReplicaSet controls")
	flag.IntVar(&size.roleBindings, "rolebindings", 1000, "RoleBindings")
	flag.IntVar(&size.namespaces, "namespaces", 20, "namespaces the objects are spread over")
	flag.IntVar(&size.pdbs, "pdbs", 1000, "PodDisruptionBudgets, one for each of the first Deployments")
	flag.IntVar(&rounds, "rounds", 3, "times each audit runs; the median is reported")
	flag.Parse()

	dir, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(dir, "controlplane.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	fmt.Println("auditbench: starting etcd and kube-apiserver")
	cp, err := framework.StartControlPlane(framework.ControlPlaneOptions{Kubeconfig: filepath.Join(dir, "kubeconfig"), Output: logFile})
	if err != nil {
		return err
	}
	defer func() { _ = cp.Stop() }()

	start := time.Now()
	created, err := fill(ctx, cp, size)
	if err != nil {
		return err
	}
	fmt.Printf("auditbench: created %d objects in %s\n", created, time.Since(start).Round(time.Second))

	bin, err := framework.BinDir()
	if err != nil {
		return err
	}
	kubeguard := filepath.Join(bin, "kubeguard")
	// The same audit without the upgrade checks, so that what they add is measured in the same run.
	withoutUpgrade := filepath.Join(dir, "without-upgrade-checks.yaml")
	config := "apiVersion: kubeguard.io/v1alpha1\nkind: Configuration\nrules:\n"
	for _, id := range rules.UpgradeCheckIDs() {
		config += "  " + id + ": {mode: \"off\"}\n"
	}
	if err := os.WriteFile(withoutUpgrade, []byte(config), 0o644); err != nil {
		return err
	}
	// Each audit runs rounds times, alternating, and the median counts: the machine is shared.
	var full, plain, upgrade []*measurement
	for round := range rounds {
		m, err := measureAudit(ctx, kubeguard, cp.Kubeconfig, filepath.Join(dir, "audit.json"))
		if err != nil {
			return err
		}
		if err := m.check(size); err != nil {
			return err
		}
		if err := m.checkUpgrade(size); err != nil {
			return err
		}
		p, err := measureAudit(ctx, kubeguard, cp.Kubeconfig, filepath.Join(dir, "audit-without-upgrade-checks.json"), "--config", withoutUpgrade)
		if err != nil {
			return err
		}
		if err := p.check(size); err != nil {
			return err
		}
		u, err := measureAudit(ctx, kubeguard, cp.Kubeconfig, filepath.Join(dir, "audit-upgrade.json"), "--upgrade")
		if err != nil {
			return err
		}
		if err := u.checkUpgrade(size); err != nil {
			return err
		}
		full, plain, upgrade = append(full, m), append(plain, p), append(upgrade, u)
		fmt.Printf("auditbench: round %d of %d: %.2f s, %.2f s without the upgrade checks, %.2f s --upgrade\n", round+1, rounds, m.wall.Seconds(), p.wall.Seconds(), u.wall.Seconds())
	}
	m, p, u := median(full), median(plain), median(upgrade)
	listed := size.listed()
	fmt.Printf("\n| objects listed | judged | findings | wall time | objects/s | peak RSS |\n|---:|---:|---:|---:|---:|---:|\n")
	fmt.Printf("| %d | %d | %d | %.2f s | %.0f | %.0f MiB |\n", listed, m.summary.Judged, m.summary.Findings,
		m.wall.Seconds(), float64(listed)/m.wall.Seconds(), m.peakRSSMiB)
	var failed []string
	if m.wall.Seconds() > maxSeconds {
		failed = append(failed, fmt.Sprintf("took %.1f s, more than %d s", m.wall.Seconds(), maxSeconds))
	}
	if m.peakRSSMiB > maxRSSMiB {
		failed = append(failed, fmt.Sprintf("peak RSS %.0f MiB, more than %d MiB", m.peakRSSMiB, maxRSSMiB))
	}

	extraCPU := 100 * (m.cpu.Seconds() - p.cpu.Seconds()) / p.cpu.Seconds()
	extraWall := 100 * (m.wall.Seconds() - p.wall.Seconds()) / p.wall.Seconds()
	fmt.Printf("\n| kubeguard audit (median of %d) | findings | wall time | CPU time | peak RSS |\n|---|---:|---:|---:|---:|\n", rounds)
	for _, row := range []struct {
		name string
		m    *measurement
	}{{"without the upgrade checks", p}, {"with the upgrade checks (the default)", m}, {"--upgrade alone", u}} {
		fmt.Printf("| %s | %d | %.2f s | %.2f s | %.0f MiB |\n", row.name, row.m.summary.Findings, row.m.wall.Seconds(), row.m.cpu.Seconds(), row.m.peakRSSMiB)
	}
	fmt.Printf("\nThe upgrade checks add %.0f %% CPU time and %.0f %% wall time to the audit of %d pods and %d budgets (target: at most %d %%).\n",
		extraCPU, extraWall, size.deployments*size.podsPerDeployment, size.budgets(), maxUpgradeExtraPercent)
	if extraCPU > maxUpgradeExtraPercent {
		failed = append(failed, fmt.Sprintf("the upgrade checks add %.0f %% CPU time, more than %d %%", extraCPU, maxUpgradeExtraPercent))
	}
	if u.peakRSSMiB > maxRSSMiB {
		failed = append(failed, fmt.Sprintf("the upgrade audit's peak RSS %.0f MiB, more than %d MiB", u.peakRSSMiB, maxRSSMiB))
	}
	if len(failed) > 0 {
		return fmt.Errorf("the audit misses its targets: %v", failed)
	}
	fmt.Printf("auditbench: within the targets (at most %d s, %d MiB)\n", maxSeconds, maxRSSMiB)
	return nil
}
