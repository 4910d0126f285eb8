// Package rules holds kubeguard's security rules: small, pure functions that read a pod spec or a binding's
// subjects and return one Violation per offending field. They do no I/O and keep no state, so the webhook,
// the offline checker and the tests all run exactly the same code.
package rules
