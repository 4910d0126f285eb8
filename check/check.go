// Package check judges manifests offline, as the webhook would judge their creation, and reports the
// verdicts for people (text) and tools (JSON). It is the front-end behind kubeguard check.
package check

import (
	"io"
	"os"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/kubeguard/kubeguard/judgement"
	"github.com/kubeguard/kubeguard/objects"
	"github.com/kubeguard/kubeguard/policy"
)

// Result is the verdict on one manifest.
type Result struct {
	manifest
	// multiDoc says the manifest's file holds several documents, so that locations name the document.
	multiDoc bool
	judgement.Verdict
}

// Run judges every manifest in sources (files, or "-" for stdin) under p, as creates at the moment at (the
// zero time: now). A file has no earlier version to compare with, so no violation counts as existing.
// It returns a result per object read, and an error per file or document that could not be read or
// judged.
func Run(p *policy.Policy, sources []string, stdin io.Reader, at time.Time) ([]Result, []error) {
	var results []Result
	var errs []error
	for _, source := range sources {
		ms, multiDoc, readErrs := readSource(source, stdin)
		errs = append(errs, readErrs...)
		for _, m := range ms {
			v := judge(p, m, at)
			if v.Decision == judgement.Error {
				errs = append(errs, &parseError{source: m.source, document: m.document, err: errorString(v.Reason)})
				continue
			}
			results = append(results, Result{manifest: m, multiDoc: multiDoc, Verdict: v})
		}
	}
	return results, errs
}

// Denied reports whether any result is a denial: what makes kubeguard check fail.
func Denied(results []Result) bool {
	for _, r := range results {
		if r.Decision == judgement.Denied {
			return true
		}
	}
	return false
}

func readSource(source string, stdin io.Reader) ([]manifest, bool, []error) {
	if source == "-" {
		return readManifests(source, stdin)
	}
	f, err := os.Open(source)
	if err != nil {
		return nil, false, []error{err}
	}
	defer f.Close()
	return readManifests(source, f)
}

// judge decides one manifest as the webhook would decide its creation in the namespace it names.
func judge(p *policy.Policy, m manifest, at time.Time) judgement.Verdict {
	var doc objects.Document
	err := objects.UnmarshalDocument(m.json, &doc)
	return judgement.Judge(p, &judgement.Request{
		Kind:       m.gvk.GroupKind(),
		Operation:  admissionv1.Create,
		Namespace:  doc.Metadata.Namespace,
		Object:     &doc,
		Unreadable: err,
		Now:        at,
	})
}

// errorString is an error whose text is already written.
type errorString string

func (e errorString) Error() string { return string(e) }
