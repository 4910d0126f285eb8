package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The compliant pod every rule test starts from must pass every pod rule, in every place a pod can sit.
func TestCompliantPodPassesEveryRule(t *testing.T) {
	for name, place := range map[string]func(*Pod){
		"pod":                                func(*Pod) {},
		"deployment":                         inDeployment,
		"cronjob":                            inCronJob,
		"with init and ephemeral containers": withInitAndEphemeral,
	} {
		t.Run(name, func(t *testing.T) {
			pod := podWith(place)
			opts := DefaultOptions()
			for _, r := range podRules() {
				assert.Empty(t, r.CheckPod(&pod, &opts), r.ID)
			}
		})
	}
}

// A pod with no containers has nothing to judge; the API rejects it anyway, but the rules must not report a
// pod-level field that no container would inherit.
func TestPodWithoutContainers(t *testing.T) {
	pod := Pod{}
	opts := DefaultOptions()
	for _, r := range podRules() {
		assert.Empty(t, r.CheckPod(&pod, &opts), r.ID)
	}
}
