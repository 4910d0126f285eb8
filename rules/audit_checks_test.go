package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every audit check is registered once, beside no rule of the same ID, with a Doc sentence, a profile
// and no Check function (the webhook must never run one).
func TestAuditChecks(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		seen[r.ID] = true
		assert.False(t, r.Upgrade, "%s: only an audit check is an upgrade check", r.ID)
	}
	var ids []string
	for _, c := range AuditChecks() {
		assert.False(t, seen[c.ID], "%s is registered twice", c.ID)
		seen[c.ID] = true
		ids = append(ids, c.ID)
		assert.Regexp(t, `^[a-z]+(-[a-z]+)*$`, c.ID)
		assert.Regexp(t, `^[A-Z].*\.$`, c.Doc)
		assert.NotEmpty(t, c.Profiles, c.ID)
		assert.True(t, c.CheckPod == nil && c.CheckBinding == nil && c.CheckDisruptionBudget == nil, "%s has a check the webhook would run", c.ID)
	}
	assert.Equal(t, []string{"instance-metadata-egress", "drain-blocked", "unmanaged-pod", "removed-api-in-use"}, ids)
	var upgrade []string
	for _, id := range ids {
		if UpgradeCheck(id) {
			upgrade = append(upgrade, id)
		}
	}
	assert.Equal(t, []string{"drain-blocked", "unmanaged-pod", "removed-api-in-use"}, upgrade)
	assert.Equal(t, upgrade, UpgradeCheckIDs())
	assert.False(t, UpgradeCheck("privileged"), "a rule is no upgrade check")
	assert.False(t, UpgradeCheck("no-such-check"))
}
