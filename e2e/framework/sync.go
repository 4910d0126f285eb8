package framework

import (
	"context"
	"fmt"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// syncLabel marks the ConfigMaps that the barrier webhook of SyncWebhookConfigurations intercepts.
const syncLabel = "kubeguard.io/webhook-sync"

// SyncWebhookConfigurations returns once the API server's admission chain has applied every change
// to ValidatingWebhookConfigurations made before the call.
//
// The API server learns of webhook configurations through one watch, applying changes in order. So
// the barrier registers one more configuration, whose webhook intercepts only ConfigMaps carrying a
// fresh token and points at a closed port, and waits until a dry-run ConfigMap with that token is
// refused by it: every earlier change has then been applied too. The barrier is removed afterwards.
// Without it, a test that changes a caBundle or failurePolicy could not tell when the change counts.
func SyncWebhookConfigurations(ctx context.Context, client kubernetes.Interface) (err error) {
	token := rand.String(10)
	name := "kubeguard-sync-" + token
	webhookName := name + ".kubeguard.io"
	barrier := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name: webhookName,
			// Port 1 on loopback is closed: the call fails at once, and failurePolicy Fail makes
			// that failure visible.
			ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://127.0.0.1:1/sync")},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule: admissionregistrationv1.Rule{
					APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"},
				},
			}},
			// An object selector, unlike a namespace selector, needs no other cache to be current.
			ObjectSelector:          &metav1.LabelSelector{MatchLabels: map[string]string{syncLabel: token}},
			FailurePolicy:           ptr.To(admissionregistrationv1.Fail),
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
			TimeoutSeconds:          ptr.To[int32](2),
		}},
	}
	api := client.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	if _, err := api.Create(ctx, barrier, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating webhook barrier: %w", err)
	}
	defer func() {
		if delErr := api.Delete(context.WithoutCancel(ctx), name, metav1.DeleteOptions{}); delErr != nil && err == nil {
			err = fmt.Errorf("deleting webhook barrier: %w", delErr)
		}
	}()

	probe := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{syncLabel: token}}}
	ctx, cancel := context.WithTimeout(ctx, webhookWaitTimeout)
	defer cancel()
	for {
		_, err := client.CoreV1().ConfigMaps(metav1.NamespaceDefault).Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil && strings.Contains(err.Error(), fmt.Sprintf("%q", webhookName)) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the API server did not apply webhook configuration changes within %s (last answer: %v)", webhookWaitTimeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
