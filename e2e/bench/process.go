package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// server is a webhook server process the benchmark started: the Pod Security webhook, or kubeguard built
// for profiling. kubeguard itself is started by e2e/framework.
type server struct {
	name   string
	cmd    *exec.Cmd
	log    *os.File
	exited chan struct{}
}

// startServer starts binary with args, its output going to logPath, and waits until readyURL answers 200
// over TLS verified against trust.
func startServer(ctx context.Context, name, binary string, args []string, logPath, readyURL string, trust *x509.CertPool) (*server, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("starting %s: %w", binary, err)
	}
	s := &server{name: name, cmd: cmd, log: log, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, readyURL, trust); err != nil {
		_ = s.stop()
		return nil, fmt.Errorf("%w (log: %s)", err, logPath)
	}
	return s, nil
}

// readyTimeout bounds a server's start; the Pod Security webhook first lists the cluster's namespaces.
const readyTimeout = 60 * time.Second

func (s *server) waitReady(ctx context.Context, url string, trust *x509.CertPool) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: trust, MinVersion: tls.VersionTLS12}},
	}
	defer client.CloseIdleConnections()
	var lastErr error
	for {
		lastErr = framework.GetOK(ctx, client, url)
		if lastErr == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited before becoming ready: %s", s.name, s.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s: %w", s.name, readyTimeout, lastErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stopGrace is how long a server gets to drain after SIGTERM before it is killed.
const stopGrace = 15 * time.Second

// stop sends SIGTERM and waits for the process to exit, killing it after stopGrace.
func (s *server) stop() error {
	defer s.log.Close()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(stopGrace):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("%s (pid %d) ignored SIGTERM for %s and was killed", s.name, s.pid(), stopGrace)
	}
}
