package rules

// Rule is one registered check. Exactly one of its Check functions is set: the one for the view of an object
// it judges (objects/kinds.go says which kinds give which view).
type Rule struct {
	// ID is stable: configuration, messages, metrics and docs use it.
	ID string
	// Doc is one sentence saying what the rule rejects.
	Doc string
	// CheckPod judges a pod or a workload's pod template.
	CheckPod func(pod *Pod, opts *Options) []Violation
	// CheckBinding judges a RoleBinding's or ClusterRoleBinding's subjects.
	CheckBinding func(binding *Binding, opts *Options) []Violation
	// CheckDisruptionBudget judges a PodDisruptionBudget's spec.
	CheckDisruptionBudget func(pdb *DisruptionBudget, opts *Options) []Violation
	// Settings are the values besides mode that the configuration may set for this rule; the check reads
	// them from Options.
	Settings []Setting
	// Profiles are the profiles that turn the rule on; under any other it is off unless the configuration
	// gives it a mode.
	Profiles []Profile
	// Since gives, for a Pod Security level whose check the rule is, the Kubernetes minor version that
	// added the check: the level turns the rule on only from that version (see Version).
	Since map[Profile]int
	// DryRunByDefault makes a profile that turns the rule on give it dry-run rather than enforce: for an
	// audit check whose findings are worth knowing but should fail nothing unless a cluster admin says so.
	DryRunByDefault bool
	// Upgrade marks an audit check that says whether a cluster upgrade can go through: kubeguard audit
	// --upgrade runs these alone.
	Upgrade bool
}

// Options are the rule settings a cluster admin may change.
type Options struct {
	// RequireAppArmorProfile rejects containers without an AppArmor profile; false rejects only Unconfined,
	// as the Pod Security "restricted" level does.
	RequireAppArmorProfile bool
	// AllowedUsers are User subjects that may still be bound: exact names, or prefixes ending in "*".
	AllowedUsers []string
	// AllowedBroadClusterRoles are ClusterRoles that may still be granted to everyone.
	AllowedBroadClusterRoles []string
	// RequireSeccompProfile rejects containers without a seccomp profile; false rejects only Unconfined, as
	// the Pod Security "baseline" level does.
	RequireSeccompProfile bool
	// ProcMountInUserNamespace lets pods in their own user namespace set any procMount, as the Pod Security
	// "baseline" level does.
	ProcMountInUserNamespace bool
	// PodSecurityVersion is the Kubernetes release whose Pod Security checks the rules follow where the
	// checks changed over releases: the safe sysctls, the SELinux types, the user-namespace and Windows
	// relaxations, seccomp annotations before fields. It is not a rule's setting: the configuration's
	// profileVersion sets it for every rule.
	PodSecurityVersion Version
}

// DefaultOptions returns the settings used when the configuration says nothing: each rule's settings at
// their defaults under the default profile. Every call returns values of its own, which the caller may
// change.
func DefaultOptions() Options {
	return OptionsFor(DefaultProfile, Latest)
}

// All returns every rule in evaluation order; that order is also the order of violations in messages.
func All() []Rule {
	return []Rule{
		privileged(),
		privilegeEscalation(),
		runAsRoot(),
		seccompProfile(),
		appArmorProfile(),
		userSubject(),
		broadSubject(),
		hostNamespaces(),
		hostPathVolumes(),
		hostPorts(),
		addedCapabilities(),
		procMount(),
		unsafeSysctls(),
		seLinuxOptions(),
		probeHost(),
		volumeTypes(),
		minimalCapabilities(),
		pdbAllowsDisruption(),
	}
}

// IDs returns the IDs of All, in order.
func IDs() []string {
	all := All()
	ids := make([]string, len(all))
	for i, r := range all {
		ids[i] = r.ID
	}
	return ids
}
