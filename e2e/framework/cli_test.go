package framework

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCLIRunReportsOutputAndExitCode(t *testing.T) {
	sh := &CLI{Path: "/bin/sh", Env: []string{"GREETING=hello"}}
	tests := []struct {
		name, script, stdout, stderr string
		exitCode                     int
	}{
		{name: "success", script: `echo "$GREETING"`, stdout: "hello\n"},
		{name: "failure", script: `echo oops >&2; exit 3`, stderr: "oops\n", exitCode: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := sh.Run(context.Background(), "-c", tt.script)
			require.NoError(t, err)
			assert.Equal(t, tt.stdout, res.Stdout)
			assert.Equal(t, tt.stderr, res.Stderr)
			assert.Equal(t, tt.exitCode, res.ExitCode)
		})
	}

	res, err := sh.RunWithInput(context.Background(), strings.NewReader("from stdin"), "-c", "cat")
	require.NoError(t, err)
	assert.Equal(t, "from stdin", res.Stdout)

	_, err = (&CLI{Path: "/nonexistent/kubectl"}).Run(context.Background())
	assert.Error(t, err, "a client that cannot run is an error, not an exit code")
}
