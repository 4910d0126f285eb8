package framework

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
)

// kwokStages is the lifecycle kwok plays for fake nodes and their pods.
//
//go:embed kwok-stages.yaml
var kwokStages []byte

// FakeNodeAnnotation marks the Nodes kwok manages; nodes without it are left alone.
const FakeNodeAnnotation = "kwok.x-k8s.io/node"

// fakeNodeValue is FakeNodeAnnotation's value on the nodes of a test cluster.
const fakeNodeValue = "fake"

// Components are the parts of a cluster besides etcd and the API server: kube-controller-manager
// with every controller acting as its own service account, kube-scheduler, and kwok playing the
// kubelets of the fake nodes.
type Components struct {
	ControllerManager *Process
	Scheduler         *Process
	Kwok              *Process
}

// newComponents describes the components of the cluster served by cp, with their certificates,
// configuration and working files under dir, writing their output to the writers of logs.
func newComponents(cp *ControlPlane, dir string, logs func(name string) (io.Writer, error)) (*Components, error) {
	caFile := filepath.Join(dir, "apiserver-ca.crt")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(caFile, cp.CACert(), 0o644); err != nil {
		return nil, err
	}
	stages := filepath.Join(dir, "kwok-stages.yaml")
	if err := os.WriteFile(stages, kwokStages, 0o644); err != nil {
		return nil, err
	}
	ports, err := FreePorts(3)
	if err != nil {
		return nil, err
	}
	kubeconfig := cp.Kubeconfig
	// Both serve health and metrics over HTTPS and ask the API server who their callers are, as in a
	// real cluster; the ports are free ones, so that several test clusters can run side by side.
	serving := func(port int, certDir string) []string {
		return []string{
			"--kubeconfig=" + kubeconfig,
			"--authentication-kubeconfig=" + kubeconfig,
			"--authorization-kubeconfig=" + kubeconfig,
			"--bind-address=127.0.0.1",
			"--secure-port=" + strconv.Itoa(port),
			"--cert-dir=" + filepath.Join(dir, certDir),
			"--leader-elect=false",
		}
	}
	healthURL := func(port int) string {
		return "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + "/healthz"
	}
	c := &Components{
		ControllerManager: &Process{
			Name: "kube-controller-manager",
			Args: append(serving(ports[0], "controller-manager"),
				// Each controller gets a token for its own service account and acts as it, so the API
				// server and the webhooks see system:serviceaccount:kube-system:<controller>.
				"--use-service-account-credentials=true",
				"--service-account-private-key-file="+cp.ServiceAccountSigningKeyFile(),
				"--root-ca-file="+caFile,
				"--controllers=*",
			),
			HealthURL: healthURL(ports[0]),
		},
		Scheduler: &Process{
			Name:      "kube-scheduler",
			Args:      serving(ports[1], "scheduler"),
			HealthURL: healthURL(ports[1]),
		},
		Kwok: &Process{
			Name: "kwok",
			Args: []string{
				"--config=" + stages,
				"--kubeconfig=" + kubeconfig,
				"--manage-all-nodes=false",
				"--manage-nodes-with-annotation-selector=" + FakeNodeAnnotation + "=" + fakeNodeValue,
				// Leases renewed like a kubelet's keep the node lifecycle controller from marking
				// the fake nodes NotReady.
				"--node-lease-duration-seconds=40",
				"--cidr=10.244.0.0/16",
				"--node-ip=10.240.0.1",
				"--server-address=" + net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[2])),
			},
			HealthURL: "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[2])) + "/healthz",
		},
	}
	for _, p := range c.all() {
		if p.Output, err = logs(p.Name + ".log"); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Components) all() []*Process {
	return []*Process{c.ControllerManager, c.Scheduler, c.Kwok}
}

// Start starts the controller manager, the scheduler and kwok, in that order, each once healthy.
func (c *Components) Start(ctx context.Context) error {
	for _, p := range c.all() {
		if err := p.Start(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Stop stops them in the reverse order.
func (c *Components) Stop() error {
	if c == nil {
		return nil
	}
	var errs []error
	all := c.all()
	for i := len(all) - 1; i >= 0; i-- {
		if err := all[i].Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stopping %s: %w", all[i].Name, err))
		}
	}
	return errors.Join(errs...)
}
