// Command devcluster runs a local cluster with kubeguard as its validating webhook until it is told to
// stop: etcd, kube-apiserver, `kubeguard serve` with a fresh CA and serving certificate, the
// ValidatingWebhookConfiguration pointing at it, kube-controller-manager, kube-scheduler, and kwok
// playing the kubelets of three Ready nodes. `make up` starts it in the background and `make
// down` stops it with SIGTERM.
//
// It writes its pid to --pid-file at once, and the file named by --ready-file once the cluster answers
// (the webhook denies a privileged pod), so a launcher can wait for either readiness or its exit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/kubeguard/kubeguard/e2e/framework"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "devcluster:", err)
		os.Exit(1)
	}
}

func run() error {
	// A flag set of its own: controller-runtime, linked in through envtest, registers --kubeconfig on
	// the global one.
	fs := flag.NewFlagSet("devcluster", flag.ExitOnError)
	var (
		dir           = fs.String("dir", "bin/up", "directory for certificates and logs")
		kubeconfig    = fs.String("kubeconfig", "bin/kubeconfig", "where to write the admin kubeconfig")
		pidFile       = fs.String("pid-file", "bin/devcluster.pid", "where to write this process's pid")
		readyFile     = fs.String("ready-file", "bin/up/ready", "written once the cluster is ready; removed on exit")
		config        = fs.String("config", "", "kubeguard configuration file (optional)")
		failurePolicy = fs.String("failure-policy", string(admissionregistrationv1.Fail), "failurePolicy of the webhooks: Fail or Ignore")
		nodes         = fs.Int("nodes", 3, "number of fake nodes kwok plays; 0 runs etcd and kube-apiserver alone")
	)
	_ = fs.Parse(os.Args[1:]) // ExitOnError: never returns an error
	policy := admissionregistrationv1.FailurePolicyType(*failurePolicy)
	if policy != admissionregistrationv1.Fail && policy != admissionregistrationv1.Ignore {
		return fmt.Errorf("--failure-policy must be Fail or Ignore, not %q", *failurePolicy)
	}

	_ = os.Remove(*readyFile)
	if err := os.MkdirAll(filepath.Dir(*pidFile), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(*pidFile, fmt.Appendf(nil, "%d\n", os.Getpid()), 0o644); err != nil {
		return err
	}
	defer os.Remove(*pidFile)

	// Stop on SIGTERM (make down) or SIGINT (Ctrl-C in the foreground), also while still starting.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	kubeguardConfig := *config
	if kubeguardConfig != "" {
		abs, err := filepath.Abs(kubeguardConfig)
		if err != nil {
			return err
		}
		kubeguardConfig = abs
	}
	cluster, err := framework.StartCluster(ctx, framework.ClusterOptions{
		Dir:             *dir,
		Kubeconfig:      *kubeconfig,
		KubeguardConfig: kubeguardConfig,
		FailurePolicy:   policy,
		Nodes:           *nodes,
	})
	if err != nil {
		return err
	}
	fmt.Printf("kube-apiserver: %s\n", cluster.ControlPlane.Config.Host)
	fmt.Printf("kubeguard:      %s (pid %d, logs in %s)\n", cluster.Kubeguard.URL(""), cluster.Kubeguard.Pid(), filepath.Join(cluster.Dir, "kubeguard.log"))
	if cluster.Components != nil {
		fmt.Printf("nodes:          %d, played by kwok (logs of the controller manager, scheduler and kwok in %s)\n", *nodes, cluster.Dir)
	}
	fmt.Printf("kubeconfig:     %s\n", *kubeconfig)
	if err := os.WriteFile(*readyFile, []byte(cluster.ControlPlane.Config.Host+"\n"), 0o644); err != nil {
		return errors.Join(err, cluster.Stop())
	}
	defer os.Remove(*readyFile)

	<-ctx.Done()
	fmt.Println("stopping kwok, kube-scheduler, kube-controller-manager, kubeguard, kube-apiserver and etcd")
	return cluster.Stop()
}
