package framework

import (
	"context"
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// The webhook names, paths and namespace label of kubeguard's contract: namespaces labelled
// kubeguard.io/mode=dry-run go to the dry-run endpoint, every other one to the configured modes.
const (
	WebhookName       = "validate.kubeguard.io"
	DryRunWebhookName = "validate-dry-run.kubeguard.io"
	ValidatePath      = "/validate"
	DryRunPath        = "/validate/dry-run"
	ModeLabel         = "kubeguard.io/mode"
	DryRunMode        = "dry-run"
)

// WebhookOptions describe a URL-based ValidatingWebhookConfiguration for kubeguard.
type WebhookOptions struct {
	// Name of the ValidatingWebhookConfiguration; "kubeguard" when empty.
	Name string
	// BaseURL is where kubeguard listens, e.g. https://127.0.0.1:9443; the paths are appended.
	BaseURL string
	// CABundle is the PEM of the CAs the API server trusts for the serving certificate.
	CABundle []byte
	// FailurePolicy applies to both webhooks; Fail when empty.
	FailurePolicy admissionregistrationv1.FailurePolicyType
}

// WebhookConfiguration returns kubeguard's ValidatingWebhookConfiguration as its contract defines it,
// with the webhooks reached by URL rather than through a Service: the test control plane has no
// Service network.
func WebhookConfiguration(opts WebhookOptions) *admissionregistrationv1.ValidatingWebhookConfiguration {
	name := opts.Name
	if name == "" {
		name = "kubeguard"
	}
	policy := opts.FailurePolicy
	if policy == "" {
		policy = admissionregistrationv1.Fail
	}
	webhook := func(webhookName, path string, op metav1.LabelSelectorOperator, scope admissionregistrationv1.ScopeType) admissionregistrationv1.ValidatingWebhook {
		return admissionregistrationv1.ValidatingWebhook{
			Name: webhookName,
			ClientConfig: admissionregistrationv1.WebhookClientConfig{
				URL:      ptr.To(opts.BaseURL + path),
				CABundle: opts.CABundle,
			},
			Rules:         webhookRules(scope),
			FailurePolicy: ptr.To(policy),
			MatchPolicy:   ptr.To(admissionregistrationv1.Equivalent),
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: ModeLabel, Operator: op, Values: []string{DryRunMode}},
			}},
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
		}
	}
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{
			webhook(WebhookName, ValidatePath, metav1.LabelSelectorOpNotIn, admissionregistrationv1.AllScopes),
			// A namespaceSelector never skips cluster-scoped objects, so without the Namespaced scope a
			// ClusterRoleBinding would be sent to both webhooks and be denied and warned at once.
			webhook(DryRunWebhookName, DryRunPath, metav1.LabelSelectorOpIn, admissionregistrationv1.NamespacedScope),
		},
	}
}

// webhookRules lists the resources kubeguard judges: everything that carries a pod spec, RBAC bindings
// and PodDisruptionBudgets.
func webhookRules(scope admissionregistrationv1.ScopeType) []admissionregistrationv1.RuleWithOperations {
	rule := func(group, version string, resources ...string) admissionregistrationv1.RuleWithOperations {
		return admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
			Rule: admissionregistrationv1.Rule{
				APIGroups:   []string{group},
				APIVersions: []string{version},
				Resources:   resources,
				Scope:       ptr.To(scope),
			},
		}
	}
	return []admissionregistrationv1.RuleWithOperations{
		rule("", "v1", "pods", "pods/ephemeralcontainers", "podtemplates", "replicationcontrollers"),
		rule("apps", "v1", "deployments", "replicasets", "statefulsets", "daemonsets"),
		rule("batch", "v1", "jobs", "cronjobs"),
		rule("rbac.authorization.k8s.io", "v1", "rolebindings", "clusterrolebindings"),
		rule("policy", "v1", "poddisruptionbudgets"),
	}
}

// RegisterWebhooks creates kubeguard's ValidatingWebhookConfiguration, or updates it when it exists.
func RegisterWebhooks(ctx context.Context, client kubernetes.Interface, opts WebhookOptions) error {
	want := WebhookConfiguration(opts)
	api := client.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	current, err := api.Get(ctx, want.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		_, err = api.Create(ctx, want, metav1.CreateOptions{})
	case err == nil:
		want.ResourceVersion = current.ResourceVersion
		_, err = api.Update(ctx, want, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("registering ValidatingWebhookConfiguration %s: %w", want.Name, err)
	}
	return nil
}
