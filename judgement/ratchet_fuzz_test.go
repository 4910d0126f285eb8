package judgement_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// fuzzProfiles are the policies the fuzz tests judge under: every profile, enforced, and the Pod Security
// levels as they stood in v1.18, when they judged the seccomp annotations rather than the fields.
func fuzzProfiles(t testing.TB) map[string]*policy.Policy {
	out := map[string]*policy.Policy{}
	for _, config := range []string{
		"profile: aks", "profile: baseline", "profile: restricted",
		"profile: baseline\nprofileVersion: v1.18", "profile: restricted\nprofileVersion: v1.18",
	} {
		p, err := policy.Parse([]byte(config + "\n"))
		require.NoError(t, err)
		out[strings.ReplaceAll(config, "\n", ", ")] = p
	}
	return out
}

// fuzzNow is the moment fuzzed requests are judged at.
var fuzzNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// fuzzSeeds adds seed inputs that go test runs without -fuzz: pseudo-random choices from a fixed seed, so
// that every run tries the same few hundred pairs.
func fuzzSeeds(f *testing.F) {
	r := rand.New(rand.NewPCG(16, 1))
	for range 300 {
		seed := make([]byte, 24+r.IntN(64))
		for i := range seed {
			seed[i] = byte(r.IntN(256))
		}
		f.Add(seed)
	}
}

// indexes matches a list index in a field path.
var indexes = regexp.MustCompile(`\[[0-9]+\]`)

// referenceKeys is the reference reading of a violation's identity, written apart from rules.Keys: the
// rule, the setting (the field without indexes unless the rule names it), and each container and value
// the violation reaches.
func referenceKeys(v *rules.Violation) []string {
	setting := v.Identity.Setting
	if setting == "" {
		setting = indexes.ReplaceAllString(v.Field, "[]")
	}
	reaches := v.Identity.Reaches
	if len(reaches) == 0 {
		reaches = []rules.Reach{{}}
	}
	var keys []string
	for _, r := range reaches {
		keys = append(keys, fmt.Sprintf("%s|%s/%s|%s|%s", v.Rule, r.Container.Kind, r.Container.Name, setting, r.Value))
	}
	return keys
}

// referenceViolations runs the rules p enables on pod, straight from the registry, and says which act in
// enforce mode.
func referenceViolations(p *policy.Policy, pod *rules.Pod) (all, enforced []rules.Violation) {
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.Mode == policy.Off || r.CheckPod == nil {
			continue
		}
		vs := r.CheckPod(pod, &p.Options)
		all = append(all, vs...)
		if r.ModeAt(fuzzNow) == policy.Enforce {
			enforced = append(enforced, vs...)
		}
	}
	return all, enforced
}

func keySet(vs []rules.Violation) map[string]bool {
	set := map[string]bool{}
	for i := range vs {
		for _, k := range referenceKeys(&vs[i]) {
			set[k] = true
		}
	}
	return set
}

// containerKinds maps each container's name to its kind, as the reference reads the pod.
func containerKinds(pod *rules.Pod) map[string]rules.ContainerKind {
	kinds := map[string]rules.ContainerKind{}
	for _, c := range pod.Spec.InitContainers {
		kinds[c.Name] = rules.InitContainer
		if c.RestartPolicy != nil && *c.RestartPolicy == "Always" {
			kinds[c.Name] = rules.SidecarContainer
		}
	}
	for _, c := range pod.Spec.Containers {
		kinds[c.Name] = rules.RegularContainer
	}
	for _, c := range pod.Spec.EphemeralContainers {
		kinds[c.Name] = rules.EphemeralContainer
	}
	return kinds
}

// checkIdentities requires what every violation reaches to agree with what users are told: a container's
// own violation reaches that container only, a pod-level one that names the containers it leaves
// unprotected reaches exactly those, and every container reached is one of the pod's, of its kind.
func checkIdentities(t *testing.T, pod *rules.Pod, vs []rules.Violation) {
	kinds := containerKinds(pod)
	for _, v := range vs {
		require.NotEmpty(t, v.Identity.Reaches, "%s %s reaches nothing", v.Rule, v.Field)
		var reached []string
		for _, r := range v.Identity.Reaches {
			if r.Container.Name != "" {
				assert.Equal(t, kinds[r.Container.Name], r.Container.Kind, "%s %s: kind of container %q", v.Rule, v.Field, r.Container.Name)
			}
			if len(reached) == 0 || reached[len(reached)-1] != r.Container.Name {
				reached = append(reached, r.Container.Name)
			}
		}
		switch {
		case v.Container != "":
			assert.Equal(t, []string{v.Container}, reached, "%s %s", v.Rule, v.Field)
		case v.Affected != nil:
			assert.Equal(t, v.Affected, reached, "%s %s", v.Rule, v.Field)
		}
	}
}

// FuzzRatchet proves ratcheting against its reference semantics (see ratchet.go): for random updates built
// from container- and pod-level mutations, under every profile, an update is allowed exactly when every key
// of the new object's violations is a key of the old object's, and the violations it denies are exactly
// those with a key the old object did not have.
func FuzzRatchet(f *testing.F) {
	fuzzSeeds(f)
	profiles := fuzzProfiles(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &choices{data: data}
		old := generatedPod(c)
		pod := copyPod(old)
		mutate(c, pod, 1+c.pick(6))

		for name, p := range profiles {
			oldAll, _ := referenceViolations(p, old)
			newAll, newEnforced := referenceViolations(p, pod)
			checkIdentities(t, old, oldAll)
			checkIdentities(t, pod, newAll)
			before := keySet(oldAll)

			var wantDenied []string
			for i := range newEnforced {
				for _, k := range referenceKeys(&newEnforced[i]) {
					if !before[k] {
						wantDenied = append(wantDenied, newEnforced[i].Rule+" "+newEnforced[i].Field)
						break
					}
				}
			}

			req := updatePod(old, pod)
			req.Now = fuzzNow
			v := judgement.Judge(p, req)
			assert.Equal(t, len(wantDenied) > 0, v.Decision == judgement.Denied, "profile %s: denied", name)
			var denied []string
			for _, e := range v.Enforced {
				denied = append(denied, e.Rule+" "+e.Field)
			}
			slices.Sort(denied)
			slices.Sort(wantDenied)
			assert.Equal(t, wantDenied, denied, "profile %s: the violations denied", name)

			// A container the old pod did not have, of that kind and name, that a violation names is never
			// let in as existing: the bypass of a new container inheriting a pod-level value.
			oldKinds := containerKinds(old)
			for ctrName, kind := range containerKinds(pod) {
				if oldKinds[ctrName] == kind {
					continue
				}
				for _, e := range newEnforced {
					if e.Container == ctrName || slices.Contains(e.Affected, ctrName) {
						assert.Equal(t, judgement.Denied, v.Decision, "profile %s: new %s container %q is named by %s", name, kind, ctrName, e.Rule)
					}
				}
			}
		}
	})
}

// FuzzSameInputs proves the shortcut for updates that change nothing the rules read: whenever it says so,
// judging the new object in full finds exactly the keys the old object had, under every profile, and the
// update is allowed.
func FuzzSameInputs(f *testing.F) {
	fuzzSeeds(f)
	profiles := fuzzProfiles(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &choices{data: data}
		old := generatedPod(c)
		pod := copyPod(old)
		// Mostly changes that should not count (empty for missing lists, other annotations), sometimes one
		// that should.
		for range 1 + c.pick(4) {
			if c.pick(4) == 0 {
				mutate(c, pod, 1)
			} else {
				sameReading(c, pod)
			}
		}
		if !pod.SameInputs(old) {
			return
		}
		for name, p := range profiles {
			oldAll, _ := referenceViolations(p, old)
			newAll, _ := referenceViolations(p, pod)
			assert.Equal(t, keySet(oldAll), keySet(newAll), "profile %s: the shortcut called a change that matters unchanged", name)
			req := updatePod(old, pod)
			req.Now = fuzzNow
			assert.Equal(t, judgement.Allowed, judgement.Judge(p, req).Decision, "profile %s", name)
		}
	})
}

// sameReading changes pod in a way that the rules should read the same: an empty list for a missing one,
// an annotation that is not an AppArmor one.
func sameReading(c *choices, pod *rules.Pod) {
	ctr := someContainer(c, pod)
	switch c.pick(6) {
	case 0:
		if pod.Spec.Volumes == nil {
			pod.Spec.Volumes = []rules.Volume{}
		}
	case 1:
		if ctr != nil && ctr.VolumeMounts == nil {
			ctr.VolumeMounts = []rules.VolumeMount{}
		}
	case 2:
		if ctr != nil && ctr.SecurityContext != nil && ctr.SecurityContext.Capabilities != nil && ctr.SecurityContext.Capabilities.Drop == nil {
			ctr.SecurityContext.Capabilities.Drop = []corev1.Capability{}
		}
	case 3:
		if ctr != nil && ctr.Ports == nil {
			ctr.Ports = []rules.ContainerPort{}
		}
	case 4:
		if pod.Spec.InitContainers == nil {
			pod.Spec.InitContainers = []rules.Container{}
		}
	case 5:
		annotations := map[string]string{"kubectl.kubernetes.io/restartedAt": "now"}
		for k, v := range pod.Annotations {
			annotations[k] = v
		}
		pod.Annotations = annotations
	}
}
