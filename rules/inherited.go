package rules

import "fmt"

// inheritedSetting describes a securityContext field that a container may set and otherwise inherits from
// the pod's securityContext, as the kubelet applies it (runAsNonRoot, runAsUser, seccompProfile,
// appArmorProfile). judge finds the offending fields of such a setting.
//
// The hooks take everything they need as arguments rather than capturing it: a capturing closure would be
// allocated on every call, and judging a compliant pod must not allocate (see bench_test.go).
type inheritedSetting[T any] struct {
	rule string
	// field is the name under securityContext, e.g. "runAsNonRoot".
	field string
	// pod is the pod-level value; nil when unset.
	pod *T
	// container returns a container's own value, nil when unset; fromAnnotation says the value comes from
	// the pod annotation annotationPrefix+<container name> rather than from the container's securityContext.
	container func(pod *Pod, c *Container) (value *T, fromAnnotation bool)
	// annotationPrefix is the prefix of the per-container annotation, when the setting has one.
	annotationPrefix string
	// problem says what is wrong with a value, "" when it passes; value is nil when unset everywhere.
	problem func(value *T, opts *Options) string
	// canonical is the value as ratcheting compares it (see Identity); it is never called with nil, which is
	// Unset.
	canonical func(value *T) string
	// fix says what to set instead.
	fix string
	// annotationFix says what to do instead when the offending value comes from an annotation.
	annotationFix string
}

// judge returns the offending fields, pod-level first, then containers in visiting order: every container
// whose own value fails; the pod-level field once, when containers inherit a failing pod value; and where
// nothing is set at all, the pod-level field when no container sets it (one fix serves them all), otherwise
// each container that lacks it.
func (s inheritedSetting[T]) judge(pod *Pod, opts *Options) []Violation {
	unsetProblem := s.problem(nil, opts)
	if s.pod == nil && unsetProblem != "" && s.unsetEverywhere(pod) {
		all := pod.containerNames()
		return []Violation{{
			Rule:     s.rule,
			Field:    s.podField(pod),
			Problem:  unsetProblem + " for the pod or " + pluralContainers(all),
			Fix:      s.fix,
			Affected: all,
			Identity: s.identity(pod.podIdentity(Unset, nil)),
		}}
	}

	var perContainer []Violation
	var inheritors []string
	var inheritorIDs []Reach
	podFails := s.pod != nil && s.problem(s.pod, opts) != ""
	pod.forEachContainer(func(ref containerRef) {
		value, fromAnnotation := s.container(pod, ref.c)
		switch {
		case value != nil:
			problem := s.problem(value, opts)
			if problem == "" {
				return
			}
			v := Violation{
				Rule: s.rule, Container: ref.c.Name, Problem: problem, Fix: s.fix,
				Identity: s.identity(ref.ownIdentity(s.canonical(value))),
			}
			if fromAnnotation {
				v.Field, v.Fix = pod.annotationPath(s.annotationPrefix+ref.c.Name).String(), s.annotationFix
			} else {
				v.Field = ref.path(pod, "securityContext", s.field).String()
			}
			perContainer = append(perContainer, v)
		case s.pod != nil:
			if podFails {
				inheritors = append(inheritors, ref.c.Name)
				inheritorIDs = append(inheritorIDs, Reach{Container: ref.id(), Value: s.canonical(s.pod)})
			}
		case unsetProblem != "":
			perContainer = append(perContainer, Violation{
				Rule:      s.rule,
				Field:     ref.path(pod, "securityContext", s.field).String(),
				Container: ref.c.Name,
				Problem:   unsetProblem + " here or for the pod",
				Fix:       s.fix,
				Identity:  s.identity(ref.ownIdentity(Unset)),
			})
		}
	})

	if inheritors == nil {
		return perContainer
	}
	inherited := Violation{
		Rule:     s.rule,
		Field:    s.podField(pod),
		Problem:  s.problem(s.pod, opts) + ", inherited by " + pluralContainers(inheritors),
		Fix:      s.fix,
		Affected: inheritors,
		Identity: s.identity(Identity{Reaches: inheritorIDs}),
	}
	return append([]Violation{inherited}, perContainer...)
}

// identity names the setting of id the same way wherever its value is set, so that a value moved between
// the pod, a container and an annotation keeps its identity for the containers it reaches.
func (s inheritedSetting[T]) identity(id Identity) Identity {
	id.Setting = "securityContext." + s.field
	return id
}

// unsetEverywhere reports whether the pod has containers and none of them sets the value. It is asked before
// judging containers one by one, so that their violations are not built only to be replaced by one.
func (s inheritedSetting[T]) unsetEverywhere(pod *Pod) bool {
	set := false
	pod.forEachContainer(func(ref containerRef) {
		if value, _ := s.container(pod, ref.c); value != nil {
			set = true
		}
	})
	return !set && pod.containerCount() > 0
}

// podField is the path of the pod-level field.
func (s inheritedSetting[T]) podField(pod *Pod) string {
	return pod.specPath().Child("securityContext", s.field).String()
}

// namedInMessages bounds how many containers a message names: a pod may have hundreds, and a message is
// read by a person.
const namedInMessages = 5

// pluralContainers renders `container "a"`, `containers "a", "b"`, or the first few names and how many
// more there are.
func pluralContainers(names []string) string {
	if len(names) == 1 {
		return "container " + quoteNames(names)
	}
	if len(names) > namedInMessages {
		return fmt.Sprintf("containers %s and %d more", quoteNames(names[:namedInMessages]), len(names)-namedInMessages)
	}
	return "containers " + quoteNames(names)
}
