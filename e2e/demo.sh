#!/usr/bin/env bash
# The body of `make demo`, run between `make up` and `make down`: applies every manifest in examples/
# with the real kubectl against the local cluster, so you see kubeguard's rejections, its dry-run
# warnings and the objects it admits. Files named *-noncompliant.yaml must be rejected in an enforcing
# namespace and admitted with warnings in a namespace labelled kubeguard.io/mode=dry-run; files named
# *-compliant.yaml must be admitted. Exits non-zero if any verdict differs.
set -uo pipefail

bin=$(pwd)/bin
export KUBECONFIG=$bin/kubeconfig
kubectl=$bin/kubectl
enforce_ns=kubeguard-demo
dry_run_ns=kubeguard-demo-dry-run
failures=0

bold="" plain=""
if [ -t 1 ]; then
	bold=$(tput bold 2>/dev/null || true)
	plain=$(tput sgr0 2>/dev/null || true)
fi

# show prints a command, runs it, prints its output indented, and keeps the output in $output.
output=""
show() {
	echo "${bold}\$ kubectl $*${plain}"
	local status=0
	output=$("$kubectl" "$@" 2>&1) || status=$?
	if [ -n "$output" ]; then
		sed 's/^/    /' <<<"$output"
	fi
	return "$status"
}

# expect records a verdict that differs from the one wanted.
expect() {
	local want=$1 got=$2 what=$3
	if [ "$want" != "$got" ]; then
		echo "  !! $what: expected \"$want\", got \"$got\""
		failures=$((failures + 1))
	fi
}

# verdict names the outcome of the last show: rejected by kubeguard, rejected by something else (for
# example the API server's own validation), or admitted.
verdict() {
	if [ "$1" -eq 0 ]; then
		echo admitted
	elif grep -q 'admission webhook "validate.kubeguard.io" denied the request' <<<"$output"; then
		echo "rejected by kubeguard"
	else
		echo "rejected, but not by kubeguard"
	fi
}

shopt -s nullglob
examples=(examples/*.yaml)
if [ ${#examples[@]} -eq 0 ]; then
	echo "demo: no manifests in examples/" >&2
	exit 1
fi

echo "${bold}== Namespaces: $enforce_ns enforces; $dry_run_ns is labelled kubeguard.io/mode=dry-run${plain}"
show create namespace "$enforce_ns" || failures=$((failures + 1))
# The label is set at creation: the API server reads namespace labels from a cache, which a label added
# a moment later may not have reached yet.
echo "${bold}\$ kubectl apply -f - <<<'{apiVersion: v1, kind: Namespace, metadata: {name: $dry_run_ns, labels: {kubeguard.io/mode: dry-run}}}'${plain}"
"$kubectl" apply -f - <<<"{apiVersion: v1, kind: Namespace, metadata: {name: $dry_run_ns, labels: {kubeguard.io/mode: dry-run}}}" 2>&1 |
	sed 's/^/    /'
[ "${PIPESTATUS[0]}" -eq 0 ] || failures=$((failures + 1))

for file in "${examples[@]}"; do
	case $file in
	*-noncompliant.yaml)
		echo
		echo "${bold}== $file in $enforce_ns: kubeguard rejects it${plain}"
		show apply -n "$enforce_ns" -f "$file"
		expect "rejected by kubeguard" "$(verdict $?)" "$file in $enforce_ns"
		# A namespace label cannot put a cluster-scoped object in dry-run.
		if ! grep -q '^kind: Cluster' "$file"; then
			echo
			echo "${bold}== $file in $dry_run_ns: admitted, with a warning per violation${plain}"
			show apply -n "$dry_run_ns" -f "$file"
			expect admitted "$(verdict $?)" "$file in $dry_run_ns"
		fi
		;;
	*-compliant.yaml)
		echo
		echo "${bold}== $file in $enforce_ns: compliant, admitted${plain}"
		show apply -n "$enforce_ns" -f "$file"
		expect admitted "$(verdict $?)" "$file in $enforce_ns"
		;;
	*) echo "demo: skipping $file (neither *-compliant.yaml nor *-noncompliant.yaml)" ;;
	esac
done

echo
if [ "$failures" -ne 0 ]; then
	echo "demo: $failures verdict(s) differed from what the examples' names promise" >&2
	exit 1
fi
echo "demo: every example got the verdict its name promises"
