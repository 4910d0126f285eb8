package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

// cluster is shared by every test of the package: starting the control plane takes seconds, so it
// happens once, and each test works in namespaces of its own.
var cluster *framework.Cluster

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "kubeguard-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	// The default configuration, as a cluster admin gets it with no --config, in a working cluster:
	// controllers, scheduler and three nodes, so that workloads get Running pods.
	cluster, err = framework.StartCluster(context.Background(), framework.ClusterOptions{Dir: dir, Nodes: 3})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: cannot start the test cluster (logs in %s): %v\n", dir, err)
		return 1
	}
	code := m.Run()
	if err := cluster.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stopping the test cluster:", err)
		code = 1
	}
	if code == 0 {
		_ = os.RemoveAll(dir)
	} else {
		fmt.Fprintf(os.Stderr, "e2e: control plane and kubeguard logs kept in %s\n", dir)
	}
	return code
}
