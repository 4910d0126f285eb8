package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/rules"
)

// The schema's pattern for profileVersion accepts exactly the versions kubeguard reads: latest and v1.0 to
// v1.LatestMinor. A newer Pod Security version taught to kubeguard fails this test until the schema follows.
func TestProfileVersionSchemaFollowsKubeguard(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	require.NoError(t, err)
	var schema struct {
		Properties struct {
			ProfileVersion struct {
				Type    string `json:"type"`
				Pattern string `json:"pattern"`
			} `json:"profileVersion"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(raw, &schema))
	require.Equal(t, "string", schema.Properties.ProfileVersion.Type)
	pattern, err := regexp.Compile(schema.Properties.ProfileVersion.Pattern)
	require.NoError(t, err)
	candidates := []string{"latest", "Latest", "", "v1", "1.30", "v2.0", "v1.030", "v1.3.1", "garbage"}
	for minor := range 150 {
		candidates = append(candidates, fmt.Sprintf("v1.%d", minor))
	}
	for _, c := range candidates {
		_, err := rules.ParseVersion(c)
		assert.Equal(t, err == nil, pattern.MatchString(c), "%q: kubeguard accepts it: %t", c, err == nil)
	}
}
