package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"time"
)

// measurement is one audit run.
type measurement struct {
	wall, cpu  time.Duration
	peakRSSMiB float64
	summary    struct {
		Judged   int `json:"judged"`
		Denied   int `json:"denied"`
		Findings int `json:"findings"`
	}
	findings []struct {
		Rule string `json:"rule"`
		Kind string `json:"kind"`
		Pods int    `json:"pods"`
	}
}

// measureAudit runs kubeguard audit -o json with args, keeping its report in reportPath.
func measureAudit(ctx context.Context, kubeguard, kubeconfig, reportPath string, args ...string) (*measurement, error) {
	report, err := os.Create(reportPath)
	if err != nil {
		return nil, err
	}
	defer report.Close()
	cmd := exec.CommandContext(ctx, kubeguard, append([]string{"audit", "--kubeconfig", kubeconfig, "-o", "json"}, args...)...)
	cmd.Stdout, cmd.Stderr = report, os.Stderr
	start := time.Now()
	err = cmd.Run()
	m := &measurement{wall: time.Since(start)}
	if cmd.ProcessState == nil {
		return nil, fmt.Errorf("running kubeguard audit: %w", err)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 {
		return nil, fmt.Errorf("kubeguard audit exited with %d", code)
	}
	m.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.peakRSSMiB = float64(usage.Maxrss) / 1024 // kilobytes on Linux
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		return nil, err
	}
	var out struct {
		Summary  json.RawMessage `json:"summary"`
		Findings json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("reading the audit's report: %w", err)
	}
	if err := json.Unmarshal(out.Summary, &m.summary); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(out.Findings, &m.findings); err != nil {
		return nil, err
	}
	return m, nil
}

// median returns the measurement of median wall time, with the median CPU time of all.
func median(ms []*measurement) *measurement {
	sorted := append([]*measurement(nil), ms...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].cpu < sorted[j].cpu })
	cpu := sorted[len(sorted)/2].cpu
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].wall < sorted[j].wall })
	m := *sorted[len(sorted)/2]
	m.cpu = cpu
	return &m
}

// check makes sure the audit judged what was created, so that a fast run is not a run that missed
// objects: every Deployment and RoleBinding once, the ReplicaSets and Pods attributed to them.
func (m *measurement) check(size clusterSize) error {
	if want := size.deployments + size.roleBindings; m.summary.Judged < want {
		return fmt.Errorf("the audit judged %d objects, want at least %d", m.summary.Judged, want)
	}
	for _, f := range m.findings {
		switch f.Kind {
		case "ReplicaSet", "Pod":
			return fmt.Errorf("a controlled %s has a finding of its own", f.Kind)
		case "Deployment":
			if f.Pods != size.podsPerDeployment {
				return fmt.Errorf("a Deployment's finding counts %d pods, want %d", f.Pods, size.podsPerDeployment)
			}
		}
	}
	return nil
}

// checkUpgrade makes sure an audit with the upgrade checks found what was created to be found: the budgets of every
// fourth Deployment block drains, and nothing else does.
func (m *measurement) checkUpgrade(size clusterSize) error {
	blocked := 0
	for _, f := range m.findings {
		if f.Rule == "drain-blocked" {
			blocked++
		}
	}
	if want := (size.budgets() + 3) / 4; blocked != want {
		return fmt.Errorf("the upgrade audit found %d drain-blocked budgets, want %d", blocked, want)
	}
	return nil
}
