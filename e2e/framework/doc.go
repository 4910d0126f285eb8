// Package framework runs kubeguard the way a cluster runs it, for the end-to-end tests, the Helm chart
// tests, the benchmark and `make up`: a real etcd and kube-apiserver (controller-runtime's envtest), a CA
// and serving certificate, `kubeguard serve` as a subprocess, a URL-based ValidatingWebhookConfiguration
// pointing at it, and the real kubectl and helm binaries.
//
// Every binary comes from the repository's bin/ directory: `make tools` builds etcd, kube-apiserver,
// kubectl, helm and the Pod Security webhook there, and `make build` builds kubeguard.
package framework
