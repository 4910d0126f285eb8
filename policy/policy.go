package policy

import (
	"fmt"
	"time"

	"github.com/kubeguard/kubeguard/rules"
)

// Policy is a checked configuration: every rule with its mode, the rule settings, and the exemptions.
type Policy struct {
	// Profile is the profile the rules' modes and the settings' defaults come from.
	Profile rules.Profile
	// ProfileVersion is the Kubernetes release whose Pod Security Standards the profile follows, as Pod
	// Security Admission's enforce-version label means it (see rules.Version). Only the configuration file
	// sets it: no namespace label or request can, so a tenant cannot pick an older, weaker version.
	ProfileVersion rules.Version
	// Rules holds every rule in evaluation order, including those turned off.
	Rules []Rule
	// Checks holds every audit check (rules.AuditChecks) with its mode, including those turned off. The
	// file's global mode and enforceAfter set the rules only: a check's mode is changed under rules.<id>.
	Checks     []Rule
	Options    rules.Options
	Exemptions Exemptions
	// Updates says whether an update is held only to what it adds (ratchet) or judged in full.
	Updates UpdateMode
	// DryRunNamespaces are judged with every rule in dry-run, each until its date when it has one.
	DryRunNamespaces []Entry
	// Warnings are what the file should change although it loads, such as a deprecated form. They do not
	// change what the policy decides; the front-ends show them to whoever runs them.
	Warnings []string
}

// Rule is a registered rule with the mode the configuration gives it.
type Rule struct {
	rules.Rule
	Mode Mode
	// EnforceAfter is when an enforced rule starts to deny; before it the rule acts as dry-run. The zero
	// time means always.
	EnforceAfter time.Time
}

// ModeAt is the mode the rule acts in at now: dry-run for an enforced rule whose date has not come.
func (r *Rule) ModeAt(now time.Time) Mode {
	if r.Mode == Enforce && r.Pending(now) {
		return DryRun
	}
	return r.Mode
}

// Pending reports whether the rule has an enforcement date still to come at now.
func (r *Rule) Pending(now time.Time) bool {
	return !r.EnforceAfter.IsZero() && now.Before(r.EnforceAfter)
}

// Exemptions say whose requests kubeguard leaves alone, or never denies.
type Exemptions struct {
	// Namespaces are never evaluated.
	Namespaces []Entry
	// Users (exact or prefix*) and Groups are never evaluated.
	Users  []Entry
	Groups []Entry
	// DryRunUsers are evaluated, but their violations are only warned about and recorded.
	DryRunUsers []Entry
}

// Default is the policy without a configuration file: the default profile's rules enforced.
func Default() *Policy {
	return ForProfile(rules.DefaultProfile, rules.Latest)
}

// DefaultExemptions leave the control plane alone. The system namespaces are never evaluated. The built-in
// workload controllers are dry-run users because kubeguard judges a workload when it is applied: the pods
// and ReplicaSets they create from it need no second verdict, and denying them would stop a workload that
// predates kubeguard from getting pods the first time its nodes are drained for an upgrade. A controller
// manager without per-controller credentials acts as system:kube-controller-manager, and the kubelet creates
// mirror pods for static pods as system:node:<name>.
func DefaultExemptions() Exemptions {
	controllers := []string{
		"replicaset-controller", "deployment-controller", "statefulset-controller", "daemon-set-controller",
		"job-controller", "cronjob-controller", "replication-controller",
	}
	dryRun := make([]string, 0, len(controllers)+2)
	for _, c := range controllers {
		dryRun = append(dryRun, "system:serviceaccount:kube-system:"+c)
	}
	dryRun = append(dryRun, "system:kube-controller-manager", "system:node:*")
	return Exemptions{
		Namespaces:  Plain("kube-system", "kube-public", "kube-node-lease"),
		Users:       []Entry{},
		Groups:      []Entry{},
		DryRunUsers: Plain(dryRun...),
	}
}

func (p *Policy) rule(id string) *Rule {
	for i := range p.Rules {
		if p.Rules[i].ID == id {
			return &p.Rules[i]
		}
	}
	if c := p.Check(id); c != nil {
		return c
	}
	panic(fmt.Sprintf("policy: rule %q is not registered", id))
}

// Check returns the audit check id with its mode, or nil when no audit check has that ID.
func (p *Policy) Check(id string) *Rule {
	for i := range p.Checks {
		if p.Checks[i].ID == id {
			return &p.Checks[i]
		}
	}
	return nil
}

// ExemptNamespace reports whether objects in ns are never evaluated at now.
func (p *Policy) ExemptNamespace(ns string, now time.Time) bool {
	return matchesExactly(p.Exemptions.Namespaces, ns, now)
}

// ExemptRequester reports whether requests by this user are never evaluated at now.
func (p *Policy) ExemptRequester(username string, groups []string, now time.Time) bool {
	if matchesPattern(p.Exemptions.Users, username, now) {
		return true
	}
	for _, g := range groups {
		if matchesExactly(p.Exemptions.Groups, g, now) {
			return true
		}
	}
	return false
}

// DryRunRequester reports whether this user's violations are only warned about at now.
func (p *Policy) DryRunRequester(username string, now time.Time) bool {
	return matchesPattern(p.Exemptions.DryRunUsers, username, now)
}

// DryRunNamespace reports whether requests in ns are judged in dry-run at now.
func (p *Policy) DryRunNamespace(ns string, now time.Time) bool {
	return matchesExactly(p.DryRunNamespaces, ns, now)
}
