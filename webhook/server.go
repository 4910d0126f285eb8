package webhook

import (
	"crypto/tls"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/kubeguard/kubeguard/policy"
)

// Paths served by kubeguard.
const (
	// ValidatePath applies the configured modes.
	ValidatePath = "/validate"
	// DryRunPath treats every enabled rule as dry-run; the Helm chart routes namespaces labelled
	// kubeguard.io/mode=dry-run here through the API server's namespaceSelector, so kubeguard itself
	// needs no read access to the cluster.
	DryRunPath = "/validate/dry-run"
)

// ServerOptions configure the HTTPS server.
type ServerOptions struct {
	Host string
	Port int
	// CertDir holds tls.crt and tls.key; they are reloaded when they change.
	CertDir string
	Policy  *policy.Policy
	Metrics *Metrics
	Log     logr.Logger
	// BodyBudget bounds the bytes of request bodies held at once; 0 means DefaultBodyBudget.
	BodyBudget int64
	// Lifecycle, when set, drains the server before it stops.
	Lifecycle *Lifecycle
}

// NewServer returns controller-runtime's webhook server with kubeguard's two handlers registered.
func NewServer(o ServerOptions) webhook.Server {
	tlsOpts := []func(*tls.Config){func(c *tls.Config) {
		c.MinVersion = tls.VersionTLS12
		// HTTP/1.1 only: the API server needs nothing more, and it keeps HTTP/2's stream-reset
		// attacks (CVE-2023-44487) off a component every write in the cluster waits on.
		c.NextProtos = []string{"http/1.1"}
	}}
	if o.Lifecycle != nil {
		tlsOpts = append(tlsOpts, o.Lifecycle.tlsOption)
	}
	server := webhook.NewServer(webhook.Options{
		Host:     o.Host,
		Port:     o.Port,
		CertDir:  o.CertDir,
		CertName: "tls.crt",
		KeyName:  "tls.key",
		TLSOpts:  tlsOpts,
	})
	o.Metrics.recordPolicy(o.Policy)
	// The two paths share one budget: together they must stay within the process's memory.
	bodies := newBodyReader(o.BodyBudget)
	server.Register(ValidatePath, &Handler{Policy: o.Policy, Metrics: o.Metrics, Log: o.Log, bodies: bodies, lifecycle: o.Lifecycle})
	server.Register(DryRunPath, &Handler{Policy: o.Policy, Metrics: o.Metrics, Log: o.Log, AllDryRun: true, bodies: bodies, lifecycle: o.Lifecycle})
	return server
}
