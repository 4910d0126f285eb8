// Package webhook serves kubeguard's admission webhook: it decodes each AdmissionReview once, picks out what
// the rules read, runs the configured policy and answers with a denial, warnings or a plain allow.
package webhook
