package audit

import (
	"context"
	"fmt"
	"io"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
)

// maxMetricsSize bounds what the audit reads of the API server's /metrics: a large cluster's is a few
// megabytes, and an endpoint that answers without end must not exhaust the audit's memory.
const maxMetricsSize = 64 << 20

// RESTAPIServer asks an API server for its version and its /metrics (a nonResourceURL, which needs RBAC
// get on "/metrics").
type RESTAPIServer struct {
	client    rest.Interface
	discovery discovery.DiscoveryInterface
}

// NewRESTAPIServer returns the API server that cfg reaches.
func NewRESTAPIServer(cfg *rest.Config) (*RESTAPIServer, error) {
	d, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &RESTAPIServer{client: d.RESTClient(), discovery: d}, nil
}

// Version returns the server's gitVersion.
func (s *RESTAPIServer) Version(context.Context) (string, error) {
	v, err := s.discovery.ServerVersion()
	if err != nil {
		return "", err
	}
	return v.GitVersion, nil
}

// Metrics returns the server's /metrics, refusing more than maxMetricsSize.
func (s *RESTAPIServer) Metrics(ctx context.Context) ([]byte, error) {
	// API servers whose metrics handler filters by name (client_golang 1.24 and later) send only the
	// family the audit reads rather than megabytes of histograms; older ones ignore the parameter.
	body, err := s.client.Get().AbsPath("/metrics").Param("name[]", deprecatedAPIsMetric).Stream(ctx)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxMetricsSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxMetricsSize {
		return nil, fmt.Errorf("/metrics is larger than %d bytes", maxMetricsSize)
	}
	return data, nil
}
