package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// pageSize bounds how many objects one list response holds, and so the memory an audit needs whatever
// the size of the cluster.
const pageSize = 500

// Page is one list response: the objects' JSON, and where the next page starts ("" after the last).
type Page struct {
	Items    []json.RawMessage
	Continue string
}

// Source lists objects of a resource page by page. namespace "" lists every namespace.
type Source interface {
	List(ctx context.Context, resource schema.GroupResource, namespace, continueToken string) (*Page, error)
}

// APISource lists from an API server's REST endpoints as JSON, which is what the rules' decoder reads:
// no typed conversion happens between the wire and the judgement.
type APISource struct {
	clients map[string]rest.Interface
}

// NewAPISource returns a source over the API server that cfg reaches.
func NewAPISource(cfg *rest.Config) (*APISource, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &APISource{clients: map[string]rest.Interface{
		"":                          cs.CoreV1().RESTClient(),
		"apps":                      cs.AppsV1().RESTClient(),
		"batch":                     cs.BatchV1().RESTClient(),
		"rbac.authorization.k8s.io": cs.RbacV1().RESTClient(),
		"networking.k8s.io":         cs.NetworkingV1().RESTClient(),
		"policy":                    cs.PolicyV1().RESTClient(),
		"autoscaling":               cs.AutoscalingV2().RESTClient(),
	}}, nil
}

// List fetches one page of a resource's objects.
func (s *APISource) List(ctx context.Context, resource schema.GroupResource, namespace, continueToken string) (*Page, error) {
	c, ok := s.clients[resource.Group]
	if !ok {
		return nil, fmt.Errorf("no client for API group %q", resource.Group)
	}
	req := c.Get().Resource(resource.Resource).Param("limit", strconv.Itoa(pageSize))
	if namespace != "" {
		req = req.Namespace(namespace)
	}
	if continueToken != "" {
		req = req.Param("continue", continueToken)
	}
	body, err := req.DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", resource, err)
	}
	var list struct {
		Metadata struct {
			Continue string `json:"continue"`
		} `json:"metadata"`
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("reading the list of %s: %w", resource, err)
	}
	return &Page{Items: list.Items, Continue: list.Metadata.Continue}, nil
}

// each calls fn for every object of resource in namespace, a page at a time.
func each(ctx context.Context, src Source, resource schema.GroupResource, namespace string, fn func(json.RawMessage) error) error {
	token := ""
	for {
		page, err := src.List(ctx, resource, namespace, token)
		if err != nil {
			return err
		}
		for _, item := range page.Items {
			if err := fn(item); err != nil {
				return err
			}
		}
		if page.Continue == "" {
			return nil
		}
		token = page.Continue
	}
}
