// Package e2e holds kubeguard's end-to-end tests: a real etcd and kube-apiserver call `kubeguard serve`
// as their validating webhook, and the tests drive the real kubectl, asserting on its exit code and
// on what it prints, as a user sees it. The package starts one control plane for all its tests
// (TestMain); each test uses namespaces of its own.
//
// `make test` runs them after `make tools` and `make build`; docs/testing.md describes the layers.
package e2e
