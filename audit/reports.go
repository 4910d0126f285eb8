package audit

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	openreports "github.com/openreports/reports-api/pkg/client/clientset/versioned"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/rules"
)

// Reports are written as OpenReports, the format Kyverno's reports and Policy Reporter read: a Report
// named ReportName in each audited namespace, and a ClusterReport of that name for the cluster-scoped
// objects. They carry ManagedByLabel=ManagedBy, by which a run knows its own reports from an object of
// the same name that anyone allowed to create Reports in a namespace may have put there first.
const (
	ReportName     = "kubeguard-audit"
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "kubeguard-audit"
	reportSource   = "kubeguard"
)

// ConflictRule names the finding for a report kubeguard would write but does not own.
const ConflictRule = "report-conflict"

// maxResults bounds the results of one report: an object in etcd is at most about 1.5 MiB, and a
// namespace can break rules many thousand times. The summary still counts every finding.
const maxResults = 1000

// WriteReports replaces kubeguard's reports with the findings of r: one per audited namespace that is
// not exempt, even with nothing to report (so that fixed violations disappear), and the cluster report
// when the whole cluster was audited. Reports of earlier runs for namespaces that are now exempt or gone
// are deleted.
//
// A report is replaced or deleted only when it carries ManagedByLabel=ManagedBy. An object of the same
// name without it is someone else's: a tenant who may create Reports in its namespace could otherwise
// have kubeguard overwrite a report it depends on, or, before this check, squat the name with a fake
// all-pass report and make the run stop part-way. Such an object is left as it is, added to r as a
// ConflictRule finding (and to the cluster report as an error result), and every other report is still
// written. An error writing one report does not stop the others either; the errors are returned together.
//
// A report of the upgrade checks alone (Report.UpgradeOnly) lands in the same reports without erasing
// the rest: in each report kubeguard owns, the upgrade checks' results are replaced and every other
// result, with its counts and the passes, is kept. A report someone else owns is never merged from: it
// is left alone and reported as a conflict, as above.
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
		// The properties say which finding this is, for tools that must not read the description's words.
		properties := map[string]string{"decision": string(f.Decision)}
		if f.Pods > 0 {
			properties["pods"] = strconv.Itoa(f.Pods)
		}
		if f.Field != "" {
			properties["field"] = f.Field
		}
		if f.Container != "" {
			properties["container"] = f.Container
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
	// Only kubeguard's name is listed, which the audit's role may list without reading other reports.
	earlier, err := api.Reports(scope).List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + ReportName})
	if err != nil {
		return fmt.Errorf("listing earlier reports: %w", err)
	}
	var errs []error
	found := map[string]*orv1alpha1.Report{}
	for i := range earlier.Items {
		e := &earlier.Items[i]
		if e.Name != ReportName {
			continue
		}
		if _, keep := reports[e.Namespace]; keep {
			found[e.Namespace] = e
			continue
		}
		if !owned(e) {
			continue
		}
		// The preconditions keep a report someone else put there since the list from being deleted.
		uid, rv := e.UID, e.ResourceVersion
		err := api.Reports(e.Namespace).Delete(ctx, e.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid, ResourceVersion: &rv}})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting the report of %s: %w", e.Namespace, err))
		}
	}
	namespaces := make([]string, 0, len(reports))
	for ns := range reports {
		namespaces = append(namespaces, ns)
		if e, ok := found[ns]; ok && r.UpgradeOnly && owned(e) {
			keepOthers(&reports[ns].Summary, &reports[ns].Results, e.Summary, e.Results)
		}
	}
	sort.Strings(namespaces)
	var conflicts []Finding
	for _, ns := range namespaces {
		s := namespaceStore(api, ns)
		existing, exists := found[ns]
		conflict, err := put(ctx, s, reports[ns], existing, exists)
		switch {
		case apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause):
			// Being deleted, with its report if it had one.
		case err != nil:
			errs = append(errs, fmt.Errorf("writing the report of %s: %w", ns, err))
		case conflict:
			conflicts = append(conflicts, conflictFinding(ns))
		}
	}
	if cluster != nil {
		for _, f := range conflicts {
			cluster.Summary.Error++
			if len(cluster.Results) < maxResults {
				cluster.Results = append(cluster.Results, orv1alpha1.ReportResult{
					Source: reportSource, Policy: f.Rule, Rule: f.Rule, Severity: "medium",
					Timestamp: metav1.Timestamp{Seconds: at.Unix()}, Result: "error",
					Subjects:    []corev1.ObjectReference{{APIVersion: f.apiVersion, Kind: f.Kind, Namespace: f.Namespace, Name: f.Name}},
					Description: f.Message,
				})
			}
		}
		s := clusterStore(api)
		existing, err := s.get(ctx)
		exists := err == nil
		if apierrors.IsNotFound(err) {
			err = nil
		}
		if exists && r.UpgradeOnly && owned(existing) {
			keepOthers(&cluster.Summary, &cluster.Results, existing.Summary, existing.Results)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("reading the cluster report: %w", err))
		} else {
			conflict, err := put(ctx, s, cluster, existing, exists)
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("writing the cluster report: %w", err))
			case conflict:
				conflicts = append(conflicts, conflictFinding(""))
			}
		}
	}
	for _, f := range conflicts {
		r.Findings = append(r.Findings, f)
		for _, ns := range r.Namespaces {
			if ns.Name == f.Namespace {
				ns.Rules[f.Rule]++
			}
		}
	}
	return errors.Join(errs...)
}

func reportMeta(namespace string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: ReportName, Namespace: namespace, Labels: map[string]string{ManagedByLabel: ManagedBy}}
}

// keepOthers adds to a report of the upgrade checks alone what an earlier report of kubeguard's holds
// besides: its passes, and its results of every other rule with their counts. The counts of the
// earlier upgrade results and conflicts are taken off, which is exact unless that report was cut at
// maxResults. The earlier conflicts are dropped: this run reports its own.
func keepOthers(summary *orv1alpha1.ReportSummary, results *[]orv1alpha1.ReportResult, earlier orv1alpha1.ReportSummary, earlierResults []orv1alpha1.ReportResult) {
	kept := earlier
	var others []orv1alpha1.ReportResult
	for _, res := range earlierResults {
		if !rules.UpgradeCheck(res.Rule) && res.Rule != ConflictRule {
			others = append(others, res)
			continue
		}
		switch res.Result {
		case "fail":
			kept.Fail--
		case "warn":
			kept.Warn--
		case "error":
			kept.Error--
		}
	}
	summary.Pass = max(kept.Pass, 0)
	summary.Fail += max(kept.Fail, 0)
	summary.Warn += max(kept.Warn, 0)
	summary.Error += max(kept.Error, 0)
	summary.Skip += max(kept.Skip, 0)
	*results = append(others[:min(len(others), maxResults)], *results...)
	if len(*results) > maxResults {
		*results = (*results)[:maxResults]
	}
}
