// Module podsecurity pins the Pod Security Admission release whose fixtures the profiles are tested
// against (webhook/pss_reference_test.go): every pass and fail pod of every version directory of its
// test/testdata. hack/tools/build.sh downloads it into the module cache, so that the test needs no network.
// It is a module of its own so that kubeguard's go.mod keeps the Kubernetes libraries it builds with.
module github.com/kubeguard/kubeguard/hack/tools/podsecurity

go 1.26.0

require k8s.io/pod-security-admission v0.37.2 // indirect
