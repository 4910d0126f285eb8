package deploy

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubeguard/kubeguard/audit"
	"github.com/kubeguard/kubeguard/objects"
)

// TestAuditRBACFollowsTheJudgedKinds checks that the audit's ClusterRole lets it list exactly what
// kubeguard audit reads (every judged kind, namespaces, NetworkPolicies) and manage its own reports, by
// name, and nothing else.
func TestAuditRBACFollowsTheJudgedKinds(t *testing.T) {
	ms := parseManifests(t, newHelm(t).template(t, nil, "--set", "audit.enabled=true"))
	var role rbacv1.ClusterRole
	for _, m := range ofKind(ms, "ClusterRole") {
		if strings.HasSuffix(m.Name, "-audit") {
			decode(t, m, &role)
		}
	}
	require.NotEmpty(t, role.Rules, "no audit ClusterRole rendered")

	want := map[string][]string{
		"/namespaces":                          {"list"},
		"networking.k8s.io/networkpolicies":    {"list"},
		"autoscaling/horizontalpodautoscalers": {"list"},
		// create cannot be narrowed by name; everything else on reports is by kubeguard's name only.
		"openreports.io/reports":                            {"create"},
		"openreports.io/clusterreports":                     {"create"},
		"openreports.io/reports/" + audit.ReportName:        {"get", "list", "update", "delete"},
		"openreports.io/clusterreports/" + audit.ReportName: {"get", "list", "update", "delete"},
	}
	for _, k := range objects.Kinds() {
		want[k.Group+"/"+k.Resource] = []string{"list"}
	}
	got := map[string][]string{}
	var urls []rbacv1.PolicyRule
	for _, r := range role.Rules {
		if len(r.NonResourceURLs) > 0 {
			urls = append(urls, r)
			continue
		}
		names := r.ResourceNames
		if len(names) == 0 {
			names = []string{""}
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, name := range names {
					key := strings.TrimSuffix(g+"/"+res+"/"+name, "/")
					got[key] = append(got[key], r.Verbs...)
				}
			}
		}
	}
	assert.Equal(t, want, got)
	// The upgrade audit reads the deprecated-API counter from the API server's metrics, and nothing else
	// outside the API's resources.
	assert.Equal(t, []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics"}}}, urls)
}

// TestAuditCronJob checks the scheduled audit: off by default, run as its own ServiceAccount with the
// webhook's configuration, and with pods the webhook's Service and budget never select.
func TestAuditCronJob(t *testing.T) {
	h := newHelm(t)
	assert.Empty(t, ofKind(parseManifests(t, h.template(t, nil)), "CronJob"), "the audit is rendered by default")

	ms := parseManifests(t, h.template(t, nil, "--set", "audit.enabled=true"))
	var cron batchv1.CronJob
	decode(t, only(t, ms, "CronJob"), &cron)
	pod := cron.Spec.JobTemplate.Spec.Template
	assert.Equal(t, batchv1.ForbidConcurrent, cron.Spec.ConcurrencyPolicy)
	require.Len(t, pod.Spec.Containers, 1)
	assert.Equal(t, []string{"audit", "--config", "/etc/kubeguard/config.yaml", "--write-reports", "--fail-on-denied=false"}, pod.Spec.Containers[0].Args)

	var binding rbacv1.ClusterRoleBinding
	decode(t, only(t, ms, "ClusterRoleBinding"), &binding)
	require.Len(t, binding.Subjects, 1)
	assert.Equal(t, pod.Spec.ServiceAccountName, binding.Subjects[0].Name)
	accounts := []string{}
	for _, m := range ofKind(ms, "ServiceAccount") {
		accounts = append(accounts, m.Name)
	}
	assert.Contains(t, accounts, pod.Spec.ServiceAccountName)

	var deployment appsv1.Deployment
	decode(t, only(t, ms, "Deployment"), &deployment)
	assert.NotEqual(t, deployment.Spec.Template.Spec.ServiceAccountName, pod.Spec.ServiceAccountName)
	require.Len(t, pod.Spec.Volumes, 1)
	assert.Equal(t, deployment.Spec.Template.Spec.Volumes[0].Projected.Sources[0].ConfigMap.Name, pod.Spec.Volumes[0].ConfigMap.Name, "the audit reads another configuration")

	var service corev1.Service
	decode(t, only(t, ms, "Service"), &service)
	assert.False(t, labels.SelectorFromSet(service.Spec.Selector).Matches(labels.Set(pod.Labels)), "the webhook Service selects audit pods")
	selector, err := metav1.LabelSelectorAsSelector(deployment.Spec.Selector)
	require.NoError(t, err)
	assert.False(t, selector.Matches(labels.Set(pod.Labels)), "the webhook Deployment selects audit pods")

	crds := ofKind(parseManifests(t, h.template(t, nil, "--set", "audit.installReportCRDs=true")), "CustomResourceDefinition")
	names := []string{}
	for _, m := range crds {
		names = append(names, m.Name)
	}
	slices.Sort(names)
	assert.Equal(t, []string{"clusterreports.openreports.io", "reports.openreports.io"}, names)
}
