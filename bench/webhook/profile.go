package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/kubeguard/kubeguard/bench/loadgen/loadreport"
)

// profileWarmup lets connections open and the server settle before the profile starts.
const profileWarmup = 2 * time.Second

// profile takes a CPU profile of server (kubeguard or the floor webhook, with its profiler on) while the load
// generator sends bodies, and writes it to dir/name.pprof with `go tool pprof -top` of it beside it, which it
// returns.
func (e *env) profile(ctx context.Context, server, name string, bodies []bodyFile, connections int, seconds int, progress io.Writer) (string, error) {
	t, pprofURL, err := e.startServing(ctx, server, "profiled", true)
	if err != nil {
		return "", err
	}
	defer func() { _ = t.stop() }()

	// The load outlasts the profile on both ends, so that every sample is taken under load.
	type outcome struct {
		res *loadreport.Report
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := e.run(ctx, load{
			target: t, bodies: bodies, connections: connections, label: server + " --profiling " + name,
			warmup: profileWarmup, duration: time.Duration(seconds)*time.Second + 2*time.Second,
		}, progress)
		done <- outcome{res, err}
	}()
	select {
	case <-time.After(profileWarmup + 500*time.Millisecond):
	case o := <-done:
		return "", fmt.Errorf("the load ended before the profile started: %v", o.err)
	}
	path := filepath.Join(e.dir, name+".pprof")
	profileErr := fetch(ctx, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", pprofURL, seconds), path)
	o := <-done
	if err := errors.Join(profileErr, o.err); err != nil {
		return "", err
	}
	if o.res.Errors > 0 {
		return "", fmt.Errorf("%d requests failed while profiling", o.res.Errors)
	}
	top, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-cum", "-nodecount=30", path).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go tool pprof: %v: %s", err, top)
	}
	if err := os.WriteFile(filepath.Join(e.dir, name+".top.txt"), top, 0o644); err != nil {
		return "", err
	}
	return string(top), nil
}

func fetch(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
		return fmt.Errorf("%s: %s: %s", url, resp.Status, msg)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
