package rules

/*
privileged rejects privileged containers: a privileged container has every capability and all host devices,
so a compromise of it is a compromise of the node. On Windows the same power comes from a HostProcess
container, which runs directly on the host with the node's network and file system, so it is rejected too.

Fields read:
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.privileged
  spec.securityContext.windowsOptions.hostProcess
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.windowsOptions.hostProcess
Passing values: false, unset.
*/

const privilegedID = "privileged"

const hostProcessFix = "remove windowsOptions.hostProcess or set it to false, and run the workload as a normal Windows container"

func privileged() Rule {
	return Rule{
		ID:       privilegedID,
		Doc:      "Rejects privileged containers: securityContext.privileged or Windows windowsOptions.hostProcess set to true.",
		CheckPod: checkPrivileged,
		Profiles: allProfiles(),
	}
}

func checkPrivileged(pod *Pod, _ *Options) []Violation {
	var out []Violation
	if sc := pod.Spec.SecurityContext; sc != nil && sc.WindowsOptions != nil && isTrue(sc.WindowsOptions.HostProcess) {
		out = append(out, Violation{
			Rule:    privilegedID,
			Field:   pod.specPath().Child("securityContext", "windowsOptions", "hostProcess").String(),
			Problem: "is true (a Windows HostProcess pod has full access to the node)",
			Fix:     hostProcessFix,
			// Every container of a HostProcess pod runs on the host: the value reaches them all.
			Identity: pod.podIdentity("true", nil),
		})
	}
	pod.forEachContainer(func(ref containerRef) {
		sc := ref.c.SecurityContext
		if sc == nil {
			return
		}
		if isTrue(sc.Privileged) {
			out = append(out, Violation{
				Rule:      privilegedID,
				Field:     ref.path(pod, "securityContext", "privileged").String(),
				Container: ref.c.Name,
				Problem:   "is true",
				Fix:       "set privileged: false or remove it",
				Identity:  ref.ownIdentity("true"),
			})
		}
		if sc.WindowsOptions != nil && isTrue(sc.WindowsOptions.HostProcess) {
			out = append(out, Violation{
				Rule:      privilegedID,
				Field:     ref.path(pod, "securityContext", "windowsOptions", "hostProcess").String(),
				Container: ref.c.Name,
				Problem:   "is true (a Windows HostProcess container has full access to the node)",
				Fix:       hostProcessFix,
				Identity:  ref.ownIdentity("true"),
			})
		}
	})
	return out
}

func isTrue(b *bool) bool { return b != nil && *b }
