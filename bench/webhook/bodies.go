package main

import (
	"fmt"
	"path/filepath"
	"slices"
)

// bodyFile is one AdmissionReview the benchmark sends, with kubeguard's verdict on it under the default
// policy. The files are made by -update from testdata/manifests, through a real API server.
type bodyFile struct {
	name string
	// verdict is "allowed" or "denied", as the load generator's --body takes it.
	verdict string
}

// podBody is the request both webhooks are compared on: a compliant pod of about 3 KB, created by a user.
// The Pod Security webhook allows it under the restricted profile, and so does kubeguard.
var podBody = bodyFile{"pod-compliant", "allowed"}

// mixedBodies are the requests kubeguard is measured on alone: Pods, Deployments and RoleBindings, compliant
// and not, and a Deployment scaled by an update that changes nothing the rules read.
var mixedBodies = []bodyFile{
	podBody,
	{"pod-noncompliant", "denied"},
	{"deployment-compliant", "allowed"},
	{"deployment-noncompliant", "denied"},
	{"deployment-scale", "allowed"},
	{"rolebinding-compliant", "allowed"},
	{"rolebinding-noncompliant", "denied"},
}

// largeBody is an everyday review larger than 64 KiB, about 100 KB: the compliant Deployment with 310
// environment variables, as `kubectl apply` leaves it, its last-applied-configuration annotation repeating
// the whole object. It is made from deployment-compliant.yaml by largeDeployment.
var largeBody = bodyFile{"deployment-large", "allowed"}

// attackBodies are the ordinary reviews sent during the attacks: the mixed bodies and the large one.
var attackBodies = append(slices.Clip(mixedBodies), largeBody)

// path is where the body is kept.
func (b bodyFile) path(testdata string) string { return filepath.Join(testdata, b.name+".json") }

// arg is the load generator's --body value.
func (b bodyFile) arg(testdata string) string {
	return fmt.Sprintf("%s=%s", b.path(testdata), b.verdict)
}
