package rules

import (
	"fmt"
	"regexp"
	"strconv"
)

// LatestMinor is the newest Kubernetes minor version whose Pod Security Standards kubeguard knows: that of
// the newest k8s.io/pod-security-admission release (v0.37.x for Kubernetes 1.37). The reference test in
// webhook/ checks that it is the newest version directory of that release's fixtures.
const LatestMinor = 37

// Version is the Kubernetes release whose Pod Security Standards the rules follow, as Pod Security
// Admission's enforce-version label says it: "latest", or "v1.N" for the checks as they stood in
// Kubernetes 1.N. The levels have changed over releases (more safe sysctls, the user-namespace
// relaxations, Windows pods exempted from Linux-only fields, seccomp moving from annotations to fields, whole
// checks added), and a cluster admin may pin the version the cluster's workloads were written against.
//
// The zero Version is Latest, so that options built without a version judge as the newest level does.
//
// Abuse: an old version is a weaker policy (v1.0 restricted requires no seccomp profile, no
// allowPrivilegeEscalation: false and no dropped capabilities), so only the configuration file sets it: no
// label, annotation or request can choose it, and `kubeguard rules` prints it beside the profile so that a
// version pinned and forgotten shows.
type Version struct {
	// pinned is false for Latest, which follows LatestMinor as kubeguard is upgraded.
	pinned bool
	minor  int
}

// Latest follows the newest Pod Security Standards kubeguard knows.
var Latest = Version{}

// versionSyntax is v1.N without leading zeros, as Pod Security Admission writes versions.
var versionSyntax = regexp.MustCompile(`^v1\.(0|[1-9][0-9]{0,2})$`)

// ParseVersion reads "latest" or "v1.N" with N at most LatestMinor. A version newer than kubeguard knows is
// refused rather than read as latest: its checks may differ in ways kubeguard cannot follow.
func ParseVersion(s string) (Version, error) {
	if s == "latest" {
		return Latest, nil
	}
	m := versionSyntax.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("%q is not a Pod Security version (want latest or v1.N, such as v1.%d)", s, LatestMinor)
	}
	minor, err := strconv.Atoi(m[1])
	if err != nil || minor > LatestMinor {
		return Version{}, fmt.Errorf("%q is newer than the newest Pod Security version kubeguard knows (v1.%d); use latest or v1.0 to v1.%d", s, LatestMinor, LatestMinor)
	}
	return Version{pinned: true, minor: minor}, nil
}

// Minor is the Kubernetes minor version whose checks apply: LatestMinor for Latest.
func (v Version) Minor() int {
	if !v.pinned {
		return LatestMinor
	}
	return v.minor
}

// AtLeast reports whether the checks of Kubernetes 1.minor apply at v.
func (v Version) AtLeast(minor int) bool { return v.Minor() >= minor }

// String is the version as the configuration writes it: latest or v1.N.
func (v Version) String() string {
	if !v.pinned {
		return "latest"
	}
	return "v1." + strconv.Itoa(v.minor)
}

// Describe is the version for people: "latest (v1.37)" or "v1.30".
func (v Version) Describe() string {
	if !v.pinned {
		return fmt.Sprintf("latest (v1.%d)", LatestMinor)
	}
	return v.String()
}
