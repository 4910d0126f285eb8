#!/usr/bin/env bash
# Builds the binaries the end-to-end tests, the chart tests and the benchmark run against
# (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, kubectl, helm and the Pod
# Security Admission webhook) from the Go module proxy into bin/. Each tool's version is pinned by the go.mod of its module under
# hack/tools/; a stamp file per tool records the version it was built at, so a tool is
# rebuilt only when its pin changes or its binary is gone. It also downloads the Pod Security
# Admission release pinned by hack/tools/podsecurity/go.mod into the module cache: the profiles'
# reference test reads its fixtures there, without the network.
#
# Usage: hack/tools/build.sh BIN_DIR
set -euo pipefail

tools_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin_dir=${1:?usage: build.sh BIN_DIR}
mkdir -p "$bin_dir/.tool-versions"
bin_dir=$(cd "$bin_dir" && pwd)

# binary name | module directory | main package | module whose version is the tool's version
tools=(
	"etcd|etcd|go.etcd.io/etcd/server/v3|go.etcd.io/etcd/server/v3"
	"kube-apiserver|kubernetes|k8s.io/kubernetes/cmd/kube-apiserver|k8s.io/kubernetes"
	"kube-controller-manager|kubernetes|k8s.io/kubernetes/cmd/kube-controller-manager|k8s.io/kubernetes"
	"kube-scheduler|kubernetes|k8s.io/kubernetes/cmd/kube-scheduler|k8s.io/kubernetes"
	"kubectl|kubernetes|k8s.io/kubernetes/cmd/kubectl|k8s.io/kubernetes"
	"kwok|kwok|sigs.k8s.io/kwok/cmd/kwok|sigs.k8s.io/kwok"
	"pod-security-webhook|kubernetes|k8s.io/pod-security-admission/cmd/webhook|k8s.io/pod-security-admission"
	"helm|helm|helm.sh/helm/v4/cmd/helm|helm.sh/helm/v4"
)

# pinned_version prints the version of a module as the tool module resolves it, following
# a replace directive (the Kubernetes staging modules are replaced by their releases).
pinned_version() {
	(cd "$tools_dir/$1" && go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$2")
}

# version_ldflags stamps the version into binaries that report it (`kubectl version`, the API
# server's /version, `helm version`); without it they would report v0.0.0 and version checks
# such as a chart's kubeVersion would misbehave.
version_ldflags() {
	local name=$1 version=$2
	case $name in
	kube-apiserver | kube-controller-manager | kube-scheduler | kubectl | pod-security-webhook)
		local major minor flags=""
		major=$(echo "$version" | sed -E 's/^v([0-9]+)\..*/\1/')
		minor=$(echo "$version" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')
		if [ "$name" = pod-security-webhook ]; then
			# The staging module is released as v0.X.Y for Kubernetes v1.X.Y.
			version="v1.${version#v0.}"
			major=1
		fi
		for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
			flags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
		done
		echo "$flags"
		;;
	# kwok prints its version without the leading v.
	kwok) echo "-X sigs.k8s.io/kwok/pkg/consts.Version=${version#v}" ;;
	helm) echo "-X helm.sh/helm/v4/internal/version.version=$version -X helm.sh/helm/v4/internal/version.gitTreeState=clean" ;;
	esac
}

# Only the source of the Pod Security Admission release is needed (its test/testdata fixtures), not a
# binary: downloading it is quick, and a no-op once it is in the module cache.
fixtures_version=$(pinned_version podsecurity k8s.io/pod-security-admission)
(cd "$tools_dir/podsecurity" && go mod download k8s.io/pod-security-admission)
echo "tools: k8s.io/pod-security-admission $fixtures_version is in the module cache (the profiles' reference fixtures)"

pending=()
for entry in "${tools[@]}"; do
	IFS='|' read -r name module pkg version_module <<<"$entry"
	version=$(pinned_version "$module" "$version_module")
	stamp="$bin_dir/.tool-versions/$name"
	if [ -x "$bin_dir/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version_module $version" ]; then
		echo "tools: $name $version is up to date"
		continue
	fi
	pending+=("$entry|$version")
done

if [ ${#pending[@]} -eq 0 ]; then
	exit 0
fi
echo "tools: building ${#pending[@]} tool(s) from the Go module proxy into $bin_dir."
echo "tools: the first build takes several minutes (15 to 25 on two cores: kube-apiserver alone is most of it); later builds reuse the Go build cache."

for entry in "${pending[@]}"; do
	IFS='|' read -r name module pkg version_module version <<<"$entry"
	echo "tools: building $name $version ($pkg)"
	start=$SECONDS
	# The old stamp goes first so an interrupted build is never mistaken for a finished one.
	rm -f "$bin_dir/.tool-versions/$name"
	(cd "$tools_dir/$module" && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w $(version_ldflags "$name" "$version")" -o "$bin_dir/$name" "$pkg")
	echo "$version_module $version" >"$bin_dir/.tool-versions/$name"
	echo "tools: built $name in $((SECONDS - start))s"
done
