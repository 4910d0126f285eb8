package main

import (
	"fmt"
	"io"

	"github.com/go-logr/logr"

	"github.com/kubeguard/kubeguard/policy"
)

// warnAboutConfig prints the configuration's warnings (such as a deprecated form) to stderr, each naming
// the file, for a command run by hand or in CI.
func warnAboutConfig(stderr io.Writer, command, path string, p *policy.Policy) {
	for _, w := range p.Warnings {
		fmt.Fprintf(stderr, "%s: warning: %s: %s\n", command, path, w)
	}
}

// logConfigWarnings logs the configuration's warnings when the server starts, where an admin reading the
// pod's logs after an upgrade finds them.
func logConfigWarnings(log logr.Logger, path string, p *policy.Policy) {
	for _, w := range p.Warnings {
		log.Info("configuration warning", "config", path, "warning", w)
	}
}
