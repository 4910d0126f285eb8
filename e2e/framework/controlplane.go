package framework

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// ControlPlane is a running etcd and kube-apiserver, with an admin (system:masters) identity.
type ControlPlane struct {
	// Config is the admin's client configuration.
	Config *rest.Config
	// Client is an admin clientset.
	Client kubernetes.Interface
	// Kubeconfig is the path of a kubeconfig file for the admin, for kubectl and helm.
	Kubeconfig string

	env    *envtest.Environment
	reaper *reaper
	binDir string
}

// DeprecatedGroupVersion is a deprecated API the test API server serves besides its defaults; the
// pinned kube-apiserver removes it in DeprecatedGroupVersionRemovedIn.
const (
	DeprecatedGroupVersion          = "networking.k8s.io/v1beta1"
	DeprecatedGroupVersionRemovedIn = "1.37"
)

// ControlPlaneOptions configure StartControlPlane.
type ControlPlaneOptions struct {
	// Kubeconfig is where the admin kubeconfig is written. Required.
	Kubeconfig string
	// Output receives the output of etcd and kube-apiserver; nil discards it.
	Output io.Writer
	// CertDir is where the API server keeps its serving certificate and service-account signing key.
	// A directory of its own, empty at start and kept across StopAPIServer and StartAPIServer, so that
	// clients and issued tokens stay valid; a temporary directory, removed on Stop, when empty.
	CertDir string
}

// controlPlaneStartTimeout bounds how long etcd and kube-apiserver each get to become healthy. The API
// server needs several seconds on two cores; envtest's 20s default leaves little room on a busy CI
// machine running other test packages at the same time.
const controlPlaneStartTimeout = 90 * time.Second

// StartControlPlane starts etcd and kube-apiserver from bin/ on free loopback ports and writes an
// admin kubeconfig. The caller must Stop it.
func StartControlPlane(opts ControlPlaneOptions) (*ControlPlane, error) {
	if opts.Kubeconfig == "" {
		return nil, fmt.Errorf("ControlPlaneOptions.Kubeconfig is required")
	}
	binDir, err := BinDir()
	if err != nil {
		return nil, err
	}
	// envtest would otherwise look for binaries elsewhere and fail with a less helpful message.
	for _, name := range []string{"etcd", "kube-apiserver", "kubectl"} {
		if _, err := Binary(name); err != nil {
			return nil, err
		}
	}
	// envtest reports through controller-runtime's logger and complains on stderr when none is set.
	ctrllog.SetLogger(logr.Discard())

	env := &envtest.Environment{
		BinaryAssetsDirectory:    binDir,
		ControlPlaneStartTimeout: controlPlaneStartTimeout,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	// KUBEBUILDER_ASSETS would silently override BinaryAssetsDirectory with binaries of another version.
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" && dir != binDir {
		return nil, fmt.Errorf("KUBEBUILDER_ASSETS=%s would replace the pinned binaries in %s; unset it", dir, binDir)
	}
	if opts.Output != nil {
		env.ControlPlane.Etcd = &envtest.Etcd{Out: opts.Output, Err: opts.Output}
		apiServer := env.ControlPlane.GetAPIServer()
		apiServer.Out, apiServer.Err = opts.Output, opts.Output
	}
	// networking.k8s.io/v1beta1 is deprecated and off by default: served, it gives the upgrade audit a
	// deprecated API the API server counts when it is requested (apiserver_requested_deprecated_apis).
	env.ControlPlane.GetAPIServer().Configure().Append("runtime-config", DeprecatedGroupVersion+"=true")
	if opts.CertDir != "" {
		if err := os.MkdirAll(opts.CertDir, 0o700); err != nil {
			return nil, err
		}
		// envtest reuses a serving certificate it finds there but cannot know the CA that signed it.
		if entries, err := os.ReadDir(opts.CertDir); err != nil || len(entries) > 0 {
			return nil, fmt.Errorf("ControlPlaneOptions.CertDir %s must be empty (%v)", opts.CertDir, err)
		}
		env.ControlPlane.GetAPIServer().CertDir = opts.CertDir
	}
	cfg, err := env.Start()
	if err != nil {
		// A partial start may have left etcd running.
		_ = env.Stop()
		return nil, fmt.Errorf("starting etcd and kube-apiserver from %s: %w", binDir, err)
	}
	cp := &ControlPlane{Config: cfg, Kubeconfig: opts.Kubeconfig, env: env, binDir: binDir}
	if err := cp.watchChildren(); err != nil {
		_ = cp.Stop()
		return nil, err
	}
	if cp.Client, err = kubernetes.NewForConfig(cfg); err != nil {
		_ = cp.Stop()
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(opts.Kubeconfig), 0o755); err != nil {
		_ = cp.Stop()
		return nil, err
	}
	if err := os.WriteFile(opts.Kubeconfig, env.KubeConfig, 0o600); err != nil {
		_ = cp.Stop()
		return nil, err
	}
	return cp, nil
}

// watchChildren (re)starts the reaper for the running etcd and kube-apiserver.
func (c *ControlPlane) watchChildren() error {
	c.reaper.stop()
	var err error
	c.reaper, err = startReaper(filepath.Join(c.binDir, "etcd"), filepath.Join(c.binDir, "kube-apiserver"))
	return err
}

// CACert returns the PEM of the CA that signed the API server's serving certificate.
func (c *ControlPlane) CACert() []byte {
	return c.env.ControlPlane.GetAPIServer().SecureServing.CA
}

// ServiceAccountSigningKeyFile is the private key the API server signs service-account tokens with:
// the controller manager signs the tokens of the controllers' service accounts with it too.
func (c *ControlPlane) ServiceAccountSigningKeyFile() string {
	return filepath.Join(c.env.ControlPlane.GetAPIServer().CertDir, "sa-signer.key")
}

// StopAPIServer stops kube-apiserver alone; etcd keeps the cluster's state.
func (c *ControlPlane) StopAPIServer() error {
	return c.env.ControlPlane.GetAPIServer().Stop()
}

// StartAPIServer starts kube-apiserver again on the same port, with the same certificates and
// flags, and returns once it is healthy. It needs ControlPlaneOptions.CertDir.
func (c *ControlPlane) StartAPIServer() error {
	if err := c.env.ControlPlane.GetAPIServer().Start(); err != nil {
		return fmt.Errorf("restarting kube-apiserver: %w", err)
	}
	return c.watchChildren()
}

// Stop stops kube-apiserver and etcd and removes their data.
func (c *ControlPlane) Stop() error {
	c.reaper.stop()
	return c.env.Stop()
}
