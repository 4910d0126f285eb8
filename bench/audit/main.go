// Command auditbench (bench/audit) measures kubeguard audit on a large cluster: `make bench` runs it. It starts etcd
// and kube-apiserver alone (no controllers, so nothing adds or removes objects while it measures),
// fills them directly with Deployments, the ReplicaSets and Pods they control, and RoleBindings, then
// runs bin/kubeguard audit as a process and reports its wall time, its peak resident memory and the
// objects it read per second against the targets.
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
)

// The targets of an audit of the default cluster.
const (
	maxSeconds = 10
	maxRSSMiB  = 150
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "auditbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	var size clusterSize
	out := flag.String("out", "bin/bench/audit", "directory for the control plane's files and logs")
	flag.IntVar(&size.deployments, "deployments", 2000, "Deployments, each with one ReplicaSet")
	flag.IntVar(&size.podsPerDeployment, "pods-per-deployment", 5, "Pods each ReplicaSet controls")
	flag.IntVar(&size.roleBindings, "rolebindings", 1000, "RoleBindings")
	flag.IntVar(&size.namespaces, "namespaces", 20, "namespaces the objects are spread over")
	flag.IntVar(&size.pdbs, "pdbs", 1000, "PodDisruptionBudgets, one for each of the first Deployments")
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
	m, err := measureAudit(ctx, filepath.Join(bin, "kubeguard"), cp.Kubeconfig, filepath.Join(dir, "audit.json"))
	if err != nil {
		return err
	}
	if err := m.check(size); err != nil {
		return err
	}
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

	// The upgrade checks, alone, for the question asked before an upgrade.
	u, err := measureAudit(ctx, filepath.Join(bin, "kubeguard"), cp.Kubeconfig, filepath.Join(dir, "audit-upgrade.json"), "--upgrade")
	if err != nil {
		return err
	}
	if err := u.checkUpgrade(size); err != nil {
		return err
	}
	fmt.Printf("\n| kubeguard audit --upgrade | findings | wall time | share of the full audit's time | peak RSS |\n|---|---:|---:|---:|---:|\n")
	fmt.Printf("| %d pods, %d budgets | %d | %.2f s | %.0f %% | %.0f MiB |\n", size.deployments*size.podsPerDeployment, size.budgets(),
		u.summary.Findings, u.wall.Seconds(), 100*u.wall.Seconds()/m.wall.Seconds(), u.peakRSSMiB)
	if u.peakRSSMiB > maxRSSMiB {
		failed = append(failed, fmt.Sprintf("the upgrade audit's peak RSS %.0f MiB, more than %d MiB", u.peakRSSMiB, maxRSSMiB))
	}
	if len(failed) > 0 {
		return fmt.Errorf("the audit misses its targets: %v", failed)
	}
	fmt.Printf("auditbench: within the targets (at most %d s, %d MiB)\n", maxSeconds, maxRSSMiB)
	return nil
}
