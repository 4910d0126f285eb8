// Package webhook is kubeguard's AdmissionReview transport: it reads each review in one pass, hands the
// request to the judgement, and writes the answer, always with the request's UID once the review shows one.
// It also wires controller-runtime's HTTPS server and the admission metrics.
package webhook
