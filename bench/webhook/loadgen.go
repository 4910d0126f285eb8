package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/loadreport"
)

// load is one run of the load generator.
type load struct {
	target      *target
	bodies      []bodyFile
	connections int
	warmup      time.Duration
	duration    time.Duration
	label       string
}

// run runs the load generator and returns its report; its human summary goes to progress. Failed requests
// are in the report, not an error: the table shows them.
func (e *env) run(ctx context.Context, l load, progress io.Writer) (*loadreport.Report, error) {
	args := []string{
		"--url", l.target.url,
		"--ca", e.caFile,
		"--connections", strconv.Itoa(l.connections),
		"--warmup", l.warmup.String(),
		"--duration", l.duration.String(),
		"--pid", strconv.Itoa(l.target.pid),
		"--label", l.label,
		"--json", "-",
	}
	var res loadreport.Report
	if err := e.runLoadgen(ctx, args, l.bodies, progress, &res); err != nil {
		return nil, err
	}
	if res.Server == nil {
		return nil, fmt.Errorf("the load generator reported no figures for %s (pid %d)", l.target.name, l.target.pid)
	}
	return &res, nil
}

// runLoadgen runs the load generator with args and the bodies, and reads its JSON report into report.
func (e *env) runLoadgen(ctx context.Context, args []string, bodies []bodyFile, progress io.Writer, report any) error {
	for _, b := range bodies {
		args = append(args, "--body", b.arg(e.testdata))
	}
	cmd := exec.CommandContext(ctx, e.loadgen, args...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, progress
	err := cmd.Run()
	var exitErr *exec.ExitError
	// Exit code 1 reports failed requests, which the JSON report counts.
	if err != nil && !(errors.As(err, &exitErr) && exitErr.ExitCode() == 1) {
		return fmt.Errorf("%s %v: %w", e.loadgen, args, err)
	}
	if err := json.Unmarshal(stdout.Bytes(), report); err != nil {
		return fmt.Errorf("reading the load generator's report: %w", err)
	}
	return nil
}
