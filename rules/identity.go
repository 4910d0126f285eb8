package rules

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// ContainerKind is what a container is to the pod, which decides when it runs and for how long: a
// container that moves from one kind to another is another container as far as ratcheting goes, since an
// init container that ran once as root and a long-running container that runs as root are not the same
// risk.
type ContainerKind string

const (
	// InitContainer runs to completion before the regular containers start.
	InitContainer ContainerKind = "init"
	// SidecarContainer is an init container with restartPolicy: Always: it starts with the init containers
	// and keeps running beside the regular ones for the pod's whole life.
	SidecarContainer ContainerKind = "sidecar"
	// RegularContainer is one of spec.containers.
	RegularContainer ContainerKind = "regular"
	// EphemeralContainer is one of spec.ephemeralContainers (kubectl debug).
	EphemeralContainer ContainerKind = "ephemeral"
)

// ContainerID names a container across two versions of a pod: its kind and its name. Its place in the
// list does not count, so that reordering containers changes nothing.
type ContainerID struct {
	Kind ContainerKind
	Name string
}

// Identity is what a violation is about, as a machine compares it: never the message, which is written for
// people and may be shortened ("… and 1 more"). It is not part of any output.
type Identity struct {
	// Setting is the offending setting as a path without list indexes, for the settings whose path alone
	// does not say it: a setting a container inherits from the pod (runAsNonRoot, runAsUser, seccompProfile,
	// appArmorProfile) is named relative to the container (securityContext.runAsUser) wherever its value is
	// set (the pod, the container, or a legacy annotation), because what counts is what the container runs
	// with. Empty means the violation's Field without its indexes.
	Setting string
	// Reaches say which offending value reaches which container: one per container and value the rule
	// objects to. A container's own field reaches that container; a pod-level field reaches the containers
	// it applies to (those that inherit it, those that mount a volume, or all of them for a pod-wide setting
	// such as hostNetwork), or no container (the zero ContainerID) when it applies to none, and a binding's
	// subject reaches no container.
	Reaches []Reach
}

// Reach is one offending value as it reaches one container.
type Reach struct {
	Container ContainerID
	// Value is the offending value in a canonical form: "Unconfined", "unset", "0", one added capability, a
	// hostPath with how it is mounted, a bound subject. Several values of one field (capabilities) are
	// several reaches, so that removing one of them is not a change, but adding one is.
	Value string
}

// Key identifies one offending value for one container. Ratcheting compares keys: a violation of an
// updated object is existing only if every one of its keys was a key of the old object.
type Key struct {
	Rule      string
	Container ContainerID
	Setting   string
	Value     string
}

// Unset is the canonical value of a setting that is missing where a rule requires it.
const Unset = "unset"

// Keys returns the keys of v, one per reach. A violation without reaches still has a key, with no container
// and an empty value, so that its rule and setting count.
func (v *Violation) Keys() []Key {
	setting := v.Identity.Setting
	if setting == "" {
		setting = WithoutIndexes(v.Field)
	}
	if len(v.Identity.Reaches) == 0 {
		return []Key{{Rule: v.Rule, Setting: setting}}
	}
	keys := make([]Key, len(v.Identity.Reaches))
	for i, r := range v.Identity.Reaches {
		keys[i] = Key{Rule: v.Rule, Container: r.Container, Setting: setting, Value: r.Value}
	}
	return keys
}

// WithoutIndexes drops the numbers between brackets: containers[3].securityContext becomes
// containers[].securityContext. Keys between brackets (annotations) stay.
func WithoutIndexes(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	b.Grow(len(path))
	for i := 0; i < len(path); i++ {
		b.WriteByte(path[i])
		if path[i] != '[' {
			continue
		}
		j := i + 1
		for j < len(path) && path[j] >= '0' && path[j] <= '9' {
			j++
		}
		if j > i+1 && j < len(path) && path[j] == ']' {
			i = j - 1
		}
	}
	return b.String()
}

// id is the container's identity: its kind and name.
func (r containerRef) id() ContainerID {
	kind := RegularContainer
	switch r.list {
	case initContainers:
		kind = InitContainer
		if r.c.RestartPolicy != nil && *r.c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			kind = SidecarContainer
		}
	case ephemeralContainers:
		kind = EphemeralContainer
	}
	return ContainerID{Kind: kind, Name: r.c.Name}
}

// ownIdentity is the identity of a container's own field with the given offending values.
func (r containerRef) ownIdentity(values ...string) Identity {
	id := r.id()
	reaches := make([]Reach, len(values))
	for i, v := range values {
		reaches[i] = Reach{Container: id, Value: v}
	}
	return Identity{Reaches: reaches}
}

// podIdentity is the identity of a pod-level value that reaches the containers keep accepts (every
// container when keep is nil); when it reaches none, its one reach names no container.
func (p *Pod) podIdentity(value string, keep func(c *Container) bool) Identity {
	var reaches []Reach
	p.forEachContainer(func(ref containerRef) {
		if keep == nil || keep(ref.c) {
			reaches = append(reaches, Reach{Container: ref.id(), Value: value})
		}
	})
	if reaches == nil {
		reaches = []Reach{{Value: value}}
	}
	return Identity{Reaches: reaches}
}

// boolValue is the canonical text of a boolean setting; nil is Unset.
func boolValue(b *bool) string {
	if b == nil {
		return Unset
	}
	return strconv.FormatBool(*b)
}

// profileValue is the canonical text of a seccomp or AppArmor profile: its type, and for Localhost the
// profile's name.
func profileValue(profileType string, localhost *string) string {
	if localhost == nil {
		return profileType
	}
	return profileType + ":" + *localhost
}

// bindingIdentity is the identity of a bound subject: who is bound, and to which role. A binding reaches no
// container.
func bindingIdentity(b *Binding, s rbacv1.Subject) Identity {
	subject := s.Kind + " " + strconv.Quote(s.Name)
	if s.Namespace != "" {
		subject += " in " + strconv.Quote(s.Namespace)
	}
	return Identity{Reaches: []Reach{{Value: subject + " bound to " + b.RoleRef.Kind + " " + strconv.Quote(b.RoleRef.Name)}}}
}
