package main

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubeguard/kubeguard/policy"
)

func TestLogFarAhead(t *testing.T) {
	p, err := policy.Load(filepath.Join("testdata", "check", "far-dates.yaml"))
	require.NoError(t, err)
	var buf bytes.Buffer
	now := time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

	logFarAhead(logr.FromSlogHandler(slog.NewJSONHandler(&buf, nil)), p, now)

	out := buf.String()
	assert.Contains(t, out, `"key":"rules.privileged.enforceAfter","name":"","date":"9999-12-31T00:00:00Z"`)
	assert.Contains(t, out, `"key":"exemptions.users.until","name":"ci-bot","date":"9999-01-01T00:00:00Z"`)
	assert.NotContains(t, out, "deploy-bot")
	assert.Equal(t, 2, bytes.Count(buf.Bytes(), []byte("more than three years ahead")))
}
