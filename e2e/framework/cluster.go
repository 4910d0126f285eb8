package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Cluster is a control plane with kubeguard registered as its validating webhook: what the end-to-end
// tests, the benchmark and `make up` run against. With nodes, it is a working cluster: the controller
// manager and the scheduler run, and kwok plays the nodes' kubelets, so workloads get Running pods.
type Cluster struct {
	ControlPlane *ControlPlane
	// Components are the controller manager, the scheduler and kwok; nil without nodes.
	Components *Components
	Kubeguard  *Kubeguard
	// CA signed the serving certificate in CertDir and is the registered caBundle.
	CA *CA
	// CertDir is kubeguard's --cert-dir.
	CertDir string
	// Webhooks is the registered configuration's description; change it and call Register to update.
	Webhooks WebhookOptions
	// Kubectl runs bin/kubectl as the cluster admin.
	Kubectl *CLI
	// Dir holds the certificates, kubeconfig and logs.
	Dir string

	logs []io.Closer
}

// ClusterOptions configure StartCluster.
type ClusterOptions struct {
	// Dir receives certs/, the kubeconfig (unless Kubeconfig says otherwise) and the logs
	// controlplane.log and kubeguard.log. Required.
	Dir string
	// Kubeconfig is where the admin kubeconfig is written; Dir/kubeconfig when empty.
	Kubeconfig string
	// KubeguardConfig is passed to kubeguard as --config when set.
	KubeguardConfig string
	// FailurePolicy of both webhooks; Fail when empty.
	FailurePolicy admissionregistrationv1.FailurePolicyType
	// Nodes is the number of fake nodes (NodeName(0), …). With one or more, kube-controller-manager,
	// kube-scheduler and kwok run too; with none, only etcd and kube-apiserver (objects are stored,
	// nothing acts on them).
	Nodes int
}

// StartCluster starts etcd and kube-apiserver, issues a CA and serving certificate, starts kubeguard,
// registers its webhooks and waits until the API server calls them; with Nodes, it then starts the
// controller manager, the scheduler and kwok, and waits until every node is Ready. On error, whatever was started is
// stopped again.
func StartCluster(ctx context.Context, opts ClusterOptions) (_ *Cluster, err error) {
	if opts.Dir == "" {
		return nil, errors.New("ClusterOptions.Dir is required")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	kubeconfig := opts.Kubeconfig
	if kubeconfig == "" {
		kubeconfig = filepath.Join(dir, "kubeconfig")
	}
	c := &Cluster{Dir: dir, CertDir: filepath.Join(dir, "certs")}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Stop())
		}
	}()

	cpLog, err := c.openLog("controlplane.log")
	if err != nil {
		return nil, err
	}
	// A certificate directory left by an earlier run in the same Dir (make up after make down) would
	// be reused without its CA, which only the run that created it knows.
	apiServerDir := filepath.Join(dir, "apiserver")
	if err := os.RemoveAll(apiServerDir); err != nil {
		return nil, err
	}
	cpOpts := ControlPlaneOptions{Kubeconfig: kubeconfig, Output: cpLog, CertDir: apiServerDir}
	if c.ControlPlane, err = StartControlPlane(cpOpts); err != nil {
		return nil, withLogTail(err, cpLog.Name())
	}
	if c.Kubectl, err = Kubectl(kubeconfig); err != nil {
		return nil, err
	}
	if c.CA, err = NewCA("kubeguard-ca"); err != nil {
		return nil, err
	}
	serving, err := c.CA.IssueServing(LoopbackHosts...)
	if err != nil {
		return nil, err
	}
	if err := serving.WriteTo(c.CertDir); err != nil {
		return nil, err
	}
	kgLog, err := c.openLog("kubeguard.log")
	if err != nil {
		return nil, err
	}
	c.Kubeguard, err = StartKubeguard(ctx, KubeguardOptions{
		CertDir:    c.CertDir,
		ConfigFile: opts.KubeguardConfig,
		Trust:      CertPool(c.CA),
		Output:     kgLog,
	})
	if err != nil {
		return nil, withLogTail(err, kgLog.Name())
	}
	c.Webhooks = WebhookOptions{
		BaseURL:       c.Kubeguard.URL(""),
		CABundle:      c.CA.CertPEM,
		FailurePolicy: opts.FailurePolicy,
	}
	if err := c.Register(ctx); err != nil {
		return nil, err
	}
	if err := c.WaitForWebhook(ctx); err != nil {
		return nil, withLogTail(err, kgLog.Name())
	}
	if opts.Nodes > 0 {
		if err := c.startNodes(ctx, opts.Nodes); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// startNodes starts the controller manager, the scheduler and kwok, after kubeguard is registered so
// that every pod a controller creates goes through it, and registers the fake nodes.
func (c *Cluster) startNodes(ctx context.Context, nodes int) error {
	components, err := newComponents(c.ControlPlane, filepath.Join(c.Dir, "components"), func(name string) (io.Writer, error) {
		return c.openLog(name)
	})
	if err != nil {
		return err
	}
	c.Components = components
	if err := components.Start(ctx); err != nil {
		return err
	}
	for i := range nodes {
		if err := AddNode(ctx, c.ControlPlane.Client, NodeName(i)); err != nil {
			return withLogTail(err, filepath.Join(c.Dir, "kwok.log"))
		}
	}
	return nil
}

func (c *Cluster) openLog(name string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(c.Dir, name), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	c.logs = append(c.logs, f)
	return f, nil
}

// Register creates or updates the ValidatingWebhookConfiguration from c.Webhooks, and returns once
// the API server applies it.
func (c *Cluster) Register(ctx context.Context) error {
	if err := RegisterWebhooks(ctx, c.ControlPlane.Client, c.Webhooks); err != nil {
		return err
	}
	return SyncWebhookConfigurations(ctx, c.ControlPlane.Client)
}

// webhookWaitTimeout bounds how long a registered or changed webhook configuration may take to reach
// the API server's admission chain, which watches for it.
const webhookWaitTimeout = 60 * time.Second

// WaitForWebhook returns once the API server sends pods in the default namespace to kubeguard: a
// server-side dry-run of a privileged pod is denied by kubeguard's webhook. The API server learns of
// webhook configurations through a watch, so a freshly registered one takes a moment to apply.
func (c *Cluster) WaitForWebhook(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, webhookWaitTimeout)
	defer cancel()
	probe := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "kubeguard-probe"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name:            "probe",
			Image:           "probe",
			SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)},
		}}},
	}
	var lastErr error
	for {
		_, err := c.ControlPlane.Client.CoreV1().Pods(metav1.NamespaceDefault).Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil && strings.Contains(err.Error(), fmt.Sprintf("admission webhook %q denied the request", WebhookName)) {
			return nil
		}
		lastErr = err
		if lastErr == nil {
			lastErr = errors.New("a privileged pod was admitted")
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the API server did not call kubeguard within %s: %w", webhookWaitTimeout, lastErr)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Stop stops kwok, the scheduler and the controller manager, kubeguard, then the control plane, and
// closes the logs. It is safe on a partly started
// cluster.
func (c *Cluster) Stop() error {
	var errs []error
	errs = append(errs, c.Components.Stop())
	if c.Kubeguard != nil {
		errs = append(errs, c.Kubeguard.Stop())
	}
	if c.ControlPlane != nil {
		errs = append(errs, c.ControlPlane.Stop())
	}
	for _, l := range c.logs {
		errs = append(errs, l.Close())
	}
	c.logs = nil
	return errors.Join(errs...)
}

// withLogTail appends the end of a log to err: the reason a process failed is usually its last words.
func withLogTail(err error, logPath string) error {
	data, readErr := os.ReadFile(logPath)
	if readErr != nil || len(data) == 0 {
		return err
	}
	const tail = 3000
	if len(data) > tail {
		data = data[len(data)-tail:]
	}
	return fmt.Errorf("%w\n--- end of %s:\n%s", err, logPath, data)
}
