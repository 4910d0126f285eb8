package audit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	openreports "github.com/openreports/reports-api/pkg/client/clientset/versioned"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeguard/kubeguard/judgement"
)

// Reports are written as OpenReports, the format Kyverno's reports and Policy Reporter read: a Report
// named ReportName in each audited namespace, and a ClusterReport of that name for the cluster-scoped
// objects. They carry ManagedByLabel, by which a run finds and replaces the reports of earlier runs.
const (
	ReportName     = "kubeguard-audit"
	ManagedByLabel = "app.kubernetes.io/managed-by"
	managedBy      = "kubeguard-audit"
	reportSource   = "kubeguard"
)

// maxResults bounds the results of one report: an object in etcd is at most about 1.5 MiB, and a
// namespace can break rules many thousand times. The summary still counts every finding.
const maxResults = 1000

// WriteReports replaces kubeguard's reports with the findings of r: one per audited namespace that is
// not exempt, even with nothing to report (so that fixed violations disappear), and the cluster report
// when the whole cluster was audited. Reports of earlier runs for namespaces that are now exempt or gone
// are deleted.
func WriteReports(ctx context.Context, client openreports.Interface, r *Report, scope string) error {
	at := r.At
	if at.IsZero() {
		at = time.Now()
	}
	reports := map[string]*orv1alpha1.Report{}
	var cluster *orv1alpha1.ClusterReport
	for _, ns := range r.Namespaces {
		switch {
		case ns.Exempt:
		case ns.Name == "":
			cluster = &orv1alpha1.ClusterReport{ObjectMeta: reportMeta(""), Source: reportSource}
			cluster.Summary.Pass = ns.Judged - ns.Denied - ns.Warned
		default:
			report := &orv1alpha1.Report{ObjectMeta: reportMeta(ns.Name), Source: reportSource}
			report.Summary.Pass = ns.Judged - ns.Denied - ns.Warned
			reports[ns.Name] = report
		}
	}
	if scope == "" && cluster == nil {
		cluster = &orv1alpha1.ClusterReport{ObjectMeta: reportMeta(""), Source: reportSource}
	}
	for _, f := range r.Findings {
		var summary *orv1alpha1.ReportSummary
		var results *[]orv1alpha1.ReportResult
		if f.Namespace == "" {
			if cluster == nil {
				continue
			}
			summary, results = &cluster.Summary, &cluster.Results
		} else {
			report, ok := reports[f.Namespace]
			if !ok {
				continue
			}
			summary, results = &report.Summary, &report.Results
		}
		result := orv1alpha1.Result("warn")
		severity := orv1alpha1.ResultSeverity("medium")
		summary.Warn++
		if f.Decision == judgement.Denied {
			result, severity = "fail", "high"
			summary.Warn--
			summary.Fail++
		}
		if len(*results) >= maxResults {
			continue
		}
		properties := map[string]string{"decision": string(f.Decision)}
		if f.Pods > 0 {
			properties["pods"] = strconv.Itoa(f.Pods)
		}
		*results = append(*results, orv1alpha1.ReportResult{
			Source:      reportSource,
			Policy:      f.Rule,
			Rule:        f.Rule,
			Severity:    severity,
			Timestamp:   metav1.Timestamp{Seconds: at.Unix()},
			Result:      result,
			Subjects:    []corev1.ObjectReference{{APIVersion: f.apiVersion, Kind: f.Kind, Namespace: f.Namespace, Name: f.Name}},
			Description: f.Message,
			Properties:  properties,
		})
	}

	api := client.OpenreportsV1alpha1()
	selector := metav1.ListOptions{LabelSelector: ManagedByLabel + "=" + managedBy}
	earlier, err := api.Reports(scope).List(ctx, selector)
	if err != nil {
		return fmt.Errorf("listing earlier reports: %w", err)
	}
	existing := map[string]string{}
	for _, e := range earlier.Items {
		if _, keep := reports[e.Namespace]; !keep || e.Name != ReportName {
			if err := api.Reports(e.Namespace).Delete(ctx, e.Name, metav1.DeleteOptions{}); err != nil {
				return fmt.Errorf("deleting the report of %s: %w", e.Namespace, err)
			}
			continue
		}
		existing[e.Namespace] = e.ResourceVersion
	}
	for ns, report := range reports {
		if rv, ok := existing[ns]; ok {
			report.ResourceVersion = rv
			_, err = api.Reports(ns).Update(ctx, report, metav1.UpdateOptions{})
		} else {
			_, err = api.Reports(ns).Create(ctx, report, metav1.CreateOptions{})
		}
		if err != nil {
			return fmt.Errorf("writing the report of %s: %w", ns, err)
		}
	}
	if cluster == nil {
		return nil
	}
	earlierCluster, err := api.ClusterReports().List(ctx, selector)
	if err != nil {
		return fmt.Errorf("listing earlier cluster reports: %w", err)
	}
	for _, e := range earlierCluster.Items {
		if e.Name == ReportName {
			cluster.ResourceVersion = e.ResourceVersion
		}
	}
	if cluster.ResourceVersion != "" {
		_, err = api.ClusterReports().Update(ctx, cluster, metav1.UpdateOptions{})
	} else {
		_, err = api.ClusterReports().Create(ctx, cluster, metav1.CreateOptions{})
	}
	if err != nil {
		return fmt.Errorf("writing the cluster report: %w", err)
	}
	return nil
}

func reportMeta(namespace string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: ReportName, Namespace: namespace, Labels: map[string]string{ManagedByLabel: managedBy}}
}
