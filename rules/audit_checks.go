package rules

// The audit checks are the findings of kubeguard audit that no admission request can decide, because
// they depend on the live cluster: what a namespace's NetworkPolicies let pods reach, replica counts,
// where pods run, what clients request. Package audit computes them; they are declared here, beside the
// rules, so that one registry drives their configuration (rules.<id>.mode, enforceAfter), their
// profiles and default modes, kubeguard rules and the docs. None has a Check function: the webhook never
// runs them.

// Audit check IDs, which package audit reports its findings under.
const (
	InstanceMetadataEgressID = "instance-metadata-egress"
	DrainBlockedID           = "drain-blocked"
	UnmanagedPodID           = "unmanaged-pod"
	RemovedAPIInUseID        = "removed-api-in-use"
)

// AuditChecks returns every audit check in report order. The upgrade checks (Upgrade set) are the ones
// kubeguard audit --upgrade runs alone.
func AuditChecks() []Rule {
	return []Rule{
		{
			ID:              InstanceMetadataEgressID,
			Doc:             "Reports namespaces whose pods can reach the instance metadata service, which hands out the node's managed identity tokens.",
			Profiles:        allProfiles(),
			DryRunByDefault: true,
		},
		{
			ID:       DrainBlockedID,
			Upgrade:  true,
			Doc:      "Reports PodDisruptionBudgets that allow no eviction of the pods they cover, which makes node drains and so upgrades fail.",
			Profiles: allProfiles(),
		},
		{
			ID:              UnmanagedPodID,
			Upgrade:         true,
			Doc:             "Reports running pods that no controller would recreate, which a node drain deletes for good.",
			Profiles:        allProfiles(),
			DryRunByDefault: true,
		},
		{
			ID:       RemovedAPIInUseID,
			Upgrade:  true,
			Doc:      "Reports deprecated APIs that clients requested and that the target Kubernetes version no longer serves.",
			Profiles: allProfiles(),
		},
	}
}

// UpgradeCheck reports whether the audit check id is one of those kubeguard audit --upgrade runs.
func UpgradeCheck(id string) bool {
	for _, c := range AuditChecks() {
		if c.ID == id {
			return c.Upgrade
		}
	}
	return false
}

// UpgradeCheckIDs returns the IDs of the audit checks kubeguard audit --upgrade runs, in report order.
func UpgradeCheckIDs() []string {
	var ids []string
	for _, c := range AuditChecks() {
		if c.Upgrade {
			ids = append(ids, c.ID)
		}
	}
	return ids
}
