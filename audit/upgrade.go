package audit

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
)

// Check is one finding of the upgrade audit: what kubeguard audit --upgrade reports, and that no admission
// request can decide, because it depends on the live cluster (replica counts, where pods run, what clients
// request).
type Check struct {
	// ID is stable: findings, docs and kubeguard rules use it.
	ID string
	// Doc is one sentence saying what the check reports.
	Doc string
	// Decision is how its findings count: denied for what makes an upgrade fail, warned for what an
	// upgrade loses without failing.
	Decision judgement.Decision
}

const (
	drainBlockedID     = "drain-blocked"
	unmanagedPodID     = "unmanaged-pod"
	removedAPIInUseID  = "removed-api-in-use"
	maxNamesInAMessage = 5
)

// UpgradeChecks returns the upgrade audit's checks, in the order their findings are reported.
func UpgradeChecks() []Check {
	return []Check{
		{ID: drainBlockedID, Decision: judgement.Denied,
			Doc: "Reports PodDisruptionBudgets that allow no eviction of the pods they cover, which makes node drains and so upgrades fail."},
		{ID: unmanagedPodID, Decision: judgement.Warned,
			Doc: "Reports running pods without a controller, which a node drain deletes for good."},
		{ID: removedAPIInUseID, Decision: judgement.Denied,
			Doc: "Reports deprecated APIs that clients requested and that the target version no longer serves."},
	}
}

// UpgradeOptions say what to audit before an upgrade.
type UpgradeOptions struct {
	// Namespace limits the audit to one namespace (and leaves out the API server's deprecated APIs); ""
	// audits all.
	Namespace string
	// TargetVersion is the Kubernetes version to upgrade to, "1.NN"; "" means the minor after the
	// server's.
	TargetVersion string
	// At is the moment the report is for (time-boxed exemptions); the zero time means now.
	At time.Time
}

// APIServer is what the upgrade audit asks the API server besides objects: its version and its metrics.
type APIServer interface {
	// Version returns the server's version, as "v1.NN.P" or "1.NN".
	Version(ctx context.Context) (string, error)
	// Metrics returns the server's /metrics in the Prometheus text format.
	Metrics(ctx context.Context) ([]byte, error)
}

// RunUpgrade answers "can this cluster be upgraded now?": it runs only the upgrade checks. Exempt
// namespaces are left out, as in every audit.
func RunUpgrade(ctx context.Context, src Source, server APIServer, p *policy.Policy, opts UpgradeOptions) (*Report, error) {
	a := &auditor{policy: p, now: opts.At, report: &Report{At: opts.At}, namespaces: map[string]*Namespace{}}
	if a.now.IsZero() {
		a.now = time.Now()
	}
	a.opts.Namespace = opts.Namespace
	if err := a.listNamespaces(ctx, src); err != nil {
		return nil, err
	}
	cluster, err := listDrainInputs(ctx, src, opts.Namespace, a.namespaceExempt)
	if err != nil {
		return nil, err
	}
	for _, f := range cluster.drainBlocked() {
		a.addUpgradeFinding(f)
	}
	for _, f := range cluster.unmanagedPods() {
		a.addUpgradeFinding(f)
	}
	if opts.Namespace == "" {
		target, err := targetVersion(ctx, server, opts.TargetVersion)
		if err != nil {
			return nil, err
		}
		metrics, err := server.Metrics(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the API server's metrics: %w", err)
		}
		found, err := removedAPIsInUse(metrics, target)
		if err != nil {
			return nil, err
		}
		for _, f := range found {
			a.addUpgradeFinding(f)
		}
	}
	for _, ns := range a.namespaces {
		a.report.Namespaces = append(a.report.Namespaces, ns)
	}
	sort.Slice(a.report.Namespaces, func(i, j int) bool { return a.report.Namespaces[i].Name < a.report.Namespaces[j].Name })
	return a.report, nil
}

// namespaceExempt reports whether the policy exempts ns; the cluster scope is never exempt.
func (a *auditor) namespaceExempt(ns string) bool {
	return a.namespace(ns).Exempt
}

// addUpgradeFinding records f and counts it in its namespace's tally, each finding as one object.
func (a *auditor) addUpgradeFinding(f Finding) {
	tally := a.namespace(f.Namespace)
	tally.Judged++
	tally.Rules[f.Rule]++
	switch f.Decision {
	case judgement.Denied:
		tally.Denied++
	case judgement.Warned:
		tally.Warned++
	}
	a.report.Findings = append(a.report.Findings, f)
}

// decisionOf is the decision a check's findings carry.
func decisionOf(id string) judgement.Decision {
	for _, c := range UpgradeChecks() {
		if c.ID == id {
			return c.Decision
		}
	}
	return judgement.Warned
}
