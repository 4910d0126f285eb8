package rules

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

/*
selinux-options rejects SELinux labels that take a container out of the container domain: a custom user or
role, or a type other than the container types, lets the process act on the node's files as the node's own
services do.

Fields read:
  spec.securityContext.seLinuxOptions.{type,user,role}
  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.seLinuxOptions.{type,user,role}
Passing values: type unset, container_t, container_init_t, container_kvm_t or container_engine_t; user and
role unset. Pod Security versions: container_engine_t passes from v1.31.
*/

const seLinuxOptionsID = "selinux-options"

func seLinuxOptions() Rule {
	return Rule{
		ID:       seLinuxOptionsID,
		Doc:      "Rejects SELinux options that set a user, a role, or a type other than the container types.",
		CheckPod: checkSELinuxOptions,
		Profiles: []Profile{Baseline, Restricted},
	}
}

func checkSELinuxOptions(pod *Pod, opts *Options) []Violation {
	version := opts.PodSecurityVersion
	var out []Violation
	if sc := pod.Spec.SecurityContext; sc != nil && sc.SELinuxOptions != nil {
		// The pod's options apply to the containers without options of their own: the kubelet takes a
		// container's seLinuxOptions whole, not field by field.
		inherits := func(c *Container) bool { return c.SecurityContext == nil || c.SecurityContext.SELinuxOptions == nil }
		identity := func(values ...string) Identity { return pod.podIdentity(values[0], inherits) }
		out = judgeSELinux(out, version, sc.SELinuxOptions, pod.specPath().Child("securityContext", "seLinuxOptions"), "", identity)
	}
	pod.forEachContainer(func(ref containerRef) {
		if sc := ref.c.SecurityContext; sc != nil && sc.SELinuxOptions != nil {
			out = judgeSELinux(out, version, sc.SELinuxOptions, ref.path(pod, "securityContext", "seLinuxOptions"), ref.c.Name, ref.ownIdentity)
		}
	})
	return out
}

// judgeSELinux appends the offending fields of one seLinuxOptions found at path; identity gives a
// violation's identity from its offending value.
func judgeSELinux(out []Violation, version Version, opts *corev1.SELinuxOptions, path *field.Path, container string, identity func(values ...string) Identity) []Violation {
	if !containerSELinuxType(opts.Type, version) {
		fix := "remove it, or set container_t, container_init_t, container_kvm_t or container_engine_t"
		if !version.AtLeast(31) {
			fix = "remove it, or set container_t, container_init_t or container_kvm_t"
		}
		out = append(out, Violation{
			Rule:      seLinuxOptionsID,
			Field:     path.Child("type").String(),
			Container: container,
			Problem:   "is " + strconv.Quote(opts.Type),
			Fix:       fix,
			Identity:  identity(opts.Type),
		})
	}
	for _, f := range [...]struct{ name, value string }{{"user", opts.User}, {"role", opts.Role}} {
		if f.value != "" {
			out = append(out, Violation{
				Rule:      seLinuxOptionsID,
				Field:     path.Child(f.name).String(),
				Container: container,
				Problem:   "is " + strconv.Quote(f.value),
				Fix:       "remove it",
				Identity:  identity(f.value),
			})
		}
	}
	return out
}

// containerSELinuxType reports whether an SELinux type keeps the process in the container domain, as the
// Pod Security Standards of version v list them.
func containerSELinuxType(t string, v Version) bool {
	switch t {
	case "", "container_t", "container_init_t", "container_kvm_t":
		return true
	case "container_engine_t":
		return v.AtLeast(31)
	}
	return false
}
