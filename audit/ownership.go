package audit

import (
	"context"
	"fmt"

	orv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
	openreportsv1alpha1 "github.com/openreports/reports-api/pkg/client/clientset/versioned/typed/openreports.io/v1alpha1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubeguard/kubeguard/judgement"
)

// owned reports whether kubeguard wrote the report.
func owned(o metav1.Object) bool {
	return o.GetLabels()[ManagedByLabel] == ManagedBy
}

// store reads and writes kubeguard's report of one namespace, or its cluster report.
type store[T metav1.Object] struct {
	get            func(ctx context.Context) (T, error)
	create, update func(ctx context.Context, obj T) error
}

// put writes want in place of found, the report of that name the run has seen when exists, and
// reports a conflict instead when found is not kubeguard's. When the name changed hands since it was
// seen (created, replaced or deleted by someone else), it reads it again and tries once more, so that a
// report created at the same moment by someone else is never overwritten.
func put[T metav1.Object](ctx context.Context, s store[T], want, found T, exists bool) (conflict bool, err error) {
	for attempt := 1; ; attempt++ {
		if exists {
			if !owned(found) {
				return true, nil
			}
			want.SetResourceVersion(found.GetResourceVersion())
			err = s.update(ctx, want)
		} else {
			want.SetResourceVersion("")
			err = s.create(ctx, want)
		}
		raced := apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) || (exists && apierrors.IsNotFound(err))
		if !raced || attempt == 2 {
			return false, err
		}
		found, err = s.get(ctx)
		switch {
		case err == nil:
			exists = true
		case apierrors.IsNotFound(err):
			exists = false
		default:
			return false, err
		}
	}
}

func namespaceStore(api openreportsv1alpha1.OpenreportsV1alpha1Interface, ns string) store[*orv1alpha1.Report] {
	reports := api.Reports(ns)
	return store[*orv1alpha1.Report]{
		get: func(ctx context.Context) (*orv1alpha1.Report, error) {
			return reports.Get(ctx, ReportName, metav1.GetOptions{})
		},
		create: func(ctx context.Context, o *orv1alpha1.Report) error {
			_, err := reports.Create(ctx, o, metav1.CreateOptions{})
			return err
		},
		update: func(ctx context.Context, o *orv1alpha1.Report) error {
			_, err := reports.Update(ctx, o, metav1.UpdateOptions{})
			return err
		},
	}
}

func clusterStore(api openreportsv1alpha1.OpenreportsV1alpha1Interface) store[*orv1alpha1.ClusterReport] {
	reports := api.ClusterReports()
	return store[*orv1alpha1.ClusterReport]{
		get: func(ctx context.Context) (*orv1alpha1.ClusterReport, error) {
			return reports.Get(ctx, ReportName, metav1.GetOptions{})
		},
		create: func(ctx context.Context, o *orv1alpha1.ClusterReport) error {
			_, err := reports.Create(ctx, o, metav1.CreateOptions{})
			return err
		},
		update: func(ctx context.Context, o *orv1alpha1.ClusterReport) error {
			_, err := reports.Update(ctx, o, metav1.UpdateOptions{})
			return err
		},
	}
}

// conflictFinding is the finding for kubeguard's report of namespace ns ("" for the cluster report),
// which is someone else's.
func conflictFinding(ns string) Finding {
	kind, resource, where := "Report", "reports.openreports.io", "the findings of "+ns
	if ns == "" {
		kind, resource, where = "ClusterReport", "clusterreports.openreports.io", "the cluster-scoped findings"
	}
	return Finding{
		Rule:      ConflictRule,
		Namespace: ns,
		Kind:      kind,
		Name:      ReportName,
		Decision:  judgement.Warned,
		Message: fmt.Sprintf("%s: %s/%s exists without the label %s=%s, so it is not kubeguard's: it was left unchanged and %s are in this output only. "+
			"Fix: find out who created it (a report that claims kubeguard's name may be a forgery); delete it, then run the audit again",
			ConflictRule, resource, ReportName, ManagedByLabel, ManagedBy, where),
		resource:   resource,
		apiVersion: orv1alpha1.SchemeGroupVersion.String(),
	}
}

// ReportConflicts counts the reports WriteReports left alone because kubeguard does not own them.
func (r *Report) ReportConflicts() int {
	n := 0
	for _, f := range r.Findings {
		if f.Rule == ConflictRule {
			n++
		}
	}
	return n
}
