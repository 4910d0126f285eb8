package deploy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
	"github.com/kubeguard/kubeguard/rules"
)

// TestSchemaTakesTheAuditChecks sets every audit check's mode, and one's enforcement date, through the
// chart's values as an operator would (helm --set), and reads the rendered config with kubeguard's own
// parser: the schema must let each check's ID through, and the config must carry the mode to the audit.
// A check's mode outside the modes is refused by the schema like a rule's.
func TestSchemaTakesTheAuditChecks(t *testing.T) {
	h := newHelm(t)
	checks := rules.AuditChecks()
	require.NotEmpty(t, checks)
	// Each check gets the mode its profiles do not give it, so that a mode lost on the way shows.
	want := map[string]policy.Mode{}
	var sets []string
	for _, c := range checks {
		want[c.ID] = policy.DryRun
		if c.DryRunByDefault {
			want[c.ID] = policy.Enforce
		}
		sets = append(sets, "--set", "rules."+c.ID+".mode="+string(want[c.ID]))
	}
	const after = "2031-02-03T04:05:06Z"
	sets = append(sets, "--set", "rules."+rules.UnmanagedPodID+".enforceAfter="+after)

	p, err := policy.Parse([]byte(configOf(t, parseManifests(t, h.template(t, nil, sets...)))))
	require.NoError(t, err, "kubeguard refuses the config the chart renders")
	for _, c := range checks {
		got := p.Check(c.ID)
		require.NotNil(t, got, c.ID)
		assert.Equal(t, want[c.ID], got.Mode, "mode of audit check %s", c.ID)
	}
	at, err := time.Parse(time.RFC3339, after)
	require.NoError(t, err)
	assert.True(t, at.Equal(p.Check(rules.UnmanagedPodID).EnforceAfter), "enforceAfter of %s", rules.UnmanagedPodID)

	res := h.run(t, "template", releaseName, chartDir, "--namespace", releaseNamespace, "--set", "rules."+rules.UnmanagedPodID+".mode=warn")
	require.NotZero(t, res.ExitCode, "helm accepted an unknown mode for an audit check\n%s", res)
	assert.Contains(t, res.Stderr, "at '/rules/"+rules.UnmanagedPodID+"/mode'")
}
