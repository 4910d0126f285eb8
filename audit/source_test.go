package audit

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"

	"github.com/kubeguard/kubeguard/objects"
)

// The API source has a client for the group of every kind of the table, so a kind added there is listed
// by the audit rather than failing it.
func TestAPISourceListsEveryJudgedKind(t *testing.T) {
	src, err := NewAPISource(&rest.Config{Host: "https://127.0.0.1:1"})
	require.NoError(t, err)
	for _, k := range objects.Kinds() {
		assert.Contains(t, src.clients, k.Group, "no client for %s", k.GroupKind)
	}
}
