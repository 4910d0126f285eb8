package deploy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
)

// The chart renders the configuration in the current version, so that no install starts with a deprecation
// warning in its logs.
func TestConfigIsVersioned(t *testing.T) {
	h := newHelm(t)
	for _, set := range valueSets {
		t.Run(set, func(t *testing.T) {
			p, err := policy.Parse([]byte(configOf(t, parseManifests(t, h.template(t, []string{valuesFile(set)})))))
			require.NoError(t, err)
			assert.Empty(t, p.Warnings)
		})
	}
}
