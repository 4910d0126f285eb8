package policy

import (
	"fmt"

	"github.com/kubeguard/kubeguard/rules"
)

// Policy is a checked configuration: every rule with its mode, the rule settings, and the exemptions.
type Policy struct {
	// Rules holds every rule in evaluation order, including those turned off.
	Rules      []Rule
	Options    rules.Options
	Exemptions Exemptions
}

// Rule is a registered rule with the mode the configuration gives it.
type Rule struct {
	rules.Rule
	Mode Mode
}

// Exemptions say whose requests kubeguard leaves alone, or never denies.
type Exemptions struct {
	// Namespaces are never evaluated.
	Namespaces []string
	// Users (exact or prefix*) and Groups are never evaluated.
	Users  []string
	Groups []string
	// DryRunUsers are evaluated, but their violations are only warned about and recorded.
	DryRunUsers []string
}

// Default is the policy without a configuration file: every rule enforced.
func Default() *Policy {
	all := rules.All()
	p := &Policy{Rules: make([]Rule, len(all)), Options: rules.DefaultOptions(), Exemptions: DefaultExemptions()}
	for i, r := range all {
		p.Rules[i] = Rule{Rule: r, Mode: Enforce}
	}
	return p
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
		Namespaces:  []string{"kube-system", "kube-public", "kube-node-lease"},
		Users:       []string{},
		Groups:      []string{},
		DryRunUsers: dryRun,
	}
}

func (p *Policy) rule(id string) *Rule {
	for i := range p.Rules {
		if p.Rules[i].ID == id {
			return &p.Rules[i]
		}
	}
	panic(fmt.Sprintf("policy: rule %q is not registered", id))
}

// ExemptNamespace reports whether objects in ns are never evaluated.
func (p *Policy) ExemptNamespace(ns string) bool {
	for _, n := range p.Exemptions.Namespaces {
		if n == ns {
			return true
		}
	}
	return false
}

// ExemptRequester reports whether requests by this user are never evaluated.
func (p *Policy) ExemptRequester(username string, groups []string) bool {
	if rules.MatchesName(p.Exemptions.Users, username) {
		return true
	}
	for _, g := range groups {
		for _, exempt := range p.Exemptions.Groups {
			if g == exempt {
				return true
			}
		}
	}
	return false
}

// DryRunRequester reports whether this user's violations are only warned about.
func (p *Policy) DryRunRequester(username string) bool {
	return rules.MatchesName(p.Exemptions.DryRunUsers, username)
}
