package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// The upgrade checks (drain-blocked, unmanaged-pod, removed-api-in-use) judge what no admission request
// can decide, because it depends on the live cluster: replica counts, where pods run, what clients
// request. They are registered audit checks (rules.AuditChecks) with modes like the rules': enforce
// reports their findings as denied, dry-run as warned, off leaves them out. A plain audit runs them in
// its one listing of each kind; Options.Upgrade runs only them, listing only the kinds they read.

const maxNamesInAMessage = 5

// scalable are the kinds with a replica count a budget is resolved against.
var scalable = map[string]bool{"Deployment": true, "StatefulSet": true, "ReplicaSet": true, "ReplicationController": true}

// upgradeKinds are the judged kinds the upgrade checks read: pods, what makes them and their budgets.
var upgradeKinds = map[string]bool{
	"Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicationController": true, "Job": true,
	"ReplicaSet": true, "Pod": true, "PodDisruptionBudget": true,
}

// upgradeFinding is a finding of an upgrade check, with how its subject already counts in the tally.
type upgradeFinding struct {
	Finding
	tallied judgement.Decision
}

// checkOn reports whether the audit runs the audit check id: its mode is not off, and --upgrade runs
// only the upgrade checks.
func (a *auditor) checkOn(id string) bool {
	c := a.policy.Check(id)
	if c == nil || c.Mode == policy.Off {
		return false
	}
	return !a.opts.Upgrade || rules.UpgradeCheck(id)
}

// checkDecision is how a finding of the audit check id counts at the audit's moment: denied when it is
// enforced, warned in dry-run (or before its enforcement date).
func (a *auditor) checkDecision(id string) judgement.Decision {
	if c := a.policy.Check(id); c != nil && c.ModeAt(a.now) == policy.Enforce {
		return judgement.Denied
	}
	return judgement.Warned
}

// lists reports whether the audit lists objects of gk: every judged kind, or under --upgrade those the
// upgrade checks read.
func (a *auditor) lists(gk schema.GroupKind) bool {
	if !a.opts.Upgrade {
		return true
	}
	if gk.Kind == "PodDisruptionBudget" {
		return a.checkOn(rules.DrainBlockedID)
	}
	return upgradeKinds[gk.Kind] && a.drain != nil
}

// listUpgradeInputs prepares the drain checks when either runs, and reads the HorizontalPodAutoscalers'
// minimums, the one kind only drain-blocked lists.
func (a *auditor) listUpgradeInputs(ctx context.Context, src Source) error {
	// A target that does not parse is refused before anything is listed, even when it goes unused.
	if a.opts.TargetVersion != "" {
		if _, err := parseMinor(a.opts.TargetVersion); err != nil {
			return err
		}
	}
	if !a.checkOn(rules.DrainBlockedID) && !a.checkOn(rules.UnmanagedPodID) {
		return nil
	}
	a.drain = &drainState{minReplicas: map[string]int{}}
	if !a.checkOn(rules.DrainBlockedID) {
		return nil
	}
	resource := schema.GroupResource{Group: "autoscaling", Resource: "horizontalpodautoscalers"}
	return each(ctx, src, resource, a.opts.Namespace, func(item json.RawMessage) error {
		var h struct {
			Metadata struct {
				Namespace string `json:"namespace"`
			} `json:"metadata"`
			Spec struct {
				ScaleTargetRef struct {
					Kind string `json:"kind"`
					Name string `json:"name"`
				} `json:"scaleTargetRef"`
				MinReplicas *int64 `json:"minReplicas"`
			} `json:"spec"`
		}
		if err := objects.Unmarshal(item, &h); err != nil {
			return fmt.Errorf("reading %s: %w", resource, err)
		}
		minimum := 1 // the API server's default
		if h.Spec.MinReplicas != nil {
			minimum = int(max(0, min(*h.Spec.MinReplicas, 1<<31-1)))
		}
		a.drain.minReplicas[h.Metadata.Namespace+"/"+h.Spec.ScaleTargetRef.Kind+"/"+h.Spec.ScaleTargetRef.Name] = minimum
		return nil
	})
}

// observe hands what the drain checks read of an object to them: unfinished pods with the controller
// attribution resolved them to, and budgets. tallied is how the object counts in its namespace's tally.
func (a *auditor) observe(kind *objects.Kind, m *metadata, owner *controller, finished bool, tallied judgement.Decision) {
	if a.drain == nil {
		return
	}
	switch kind.Kind {
	case "Pod":
		if !finished {
			a.drain.addPod(m, owner, tallied)
		}
	case "PodDisruptionBudget":
		if a.checkOn(rules.DrainBlockedID) {
			a.drain.addBudget(m, tallied)
		}
	}
}

// addUpgradeFindings adds the findings of the upgrade checks that run, once everything is listed.
// removed-api-in-use speaks for the cluster's clients, so a namespace's audit leaves it out.
func (a *auditor) addUpgradeFindings(ctx context.Context) error {
	var found []upgradeFinding
	if a.drain != nil && a.checkOn(rules.DrainBlockedID) {
		found = append(found, a.drain.drainBlocked()...)
	}
	if a.drain != nil && a.checkOn(rules.UnmanagedPodID) {
		found = append(found, a.drain.unmanagedPods()...)
	}
	if a.opts.Namespace == "" && a.opts.APIServer != nil && a.checkOn(rules.RemovedAPIInUseID) {
		target, err := targetVersion(ctx, a.opts.APIServer, a.opts.TargetVersion)
		if err != nil {
			return err
		}
		metrics, err := a.opts.APIServer.Metrics(ctx)
		if err != nil {
			return fmt.Errorf("reading the API server's metrics: %w", err)
		}
		apis, err := removedAPIsInUse(metrics, target)
		if err != nil {
			return err
		}
		for _, f := range apis {
			found = append(found, upgradeFinding{Finding: f})
		}
	}
	for _, f := range found {
		a.addUpgradeFinding(f)
	}
	return nil
}

// addUpgradeFinding records f and counts it in its namespace's tally. Its subject is counted as judged
// once: a pod or budget the rules judged already counts, and a finding only makes its verdict worse.
func (a *auditor) addUpgradeFinding(f upgradeFinding) {
	f.Decision = a.checkDecision(f.Rule)
	tally := a.namespace(f.Namespace)
	tally.Rules[f.Rule]++
	switch f.tallied {
	case "", judgement.Error, judgement.NotJudged, judgement.Exempt:
		tally.Judged++
		a.count(tally, f.Decision)
	case judgement.Allowed:
		a.count(tally, f.Decision)
	case judgement.Warned:
		if f.Decision == judgement.Denied {
			tally.Warned--
			tally.Denied++
		}
	}
	a.report.Findings = append(a.report.Findings, f.Finding)
}

func (a *auditor) count(tally *Namespace, d judgement.Decision) {
	switch d {
	case judgement.Denied:
		tally.Denied++
	case judgement.Warned:
		tally.Warned++
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
	return Run(ctx, src, p, Options{Namespace: opts.Namespace, At: opts.At, Upgrade: true, TargetVersion: opts.TargetVersion, APIServer: server})
}
