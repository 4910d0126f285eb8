#!/usr/bin/env bash
# The body of `make demo`, run between `make up` and `make down`: applies every manifest in examples/
# with the real kubectl against the local cluster, so you see kubeguard's rejections, its dry-run
# warnings and the objects it admits. Files named *-noncompliant.yaml must be rejected in an enforcing
# namespace and admitted with warnings in a namespace labelled kubeguard.io/mode=dry-run; files named
# *-compliant.yaml must be admitted. The cluster has three nodes that kwok plays, so the admitted
# workloads get Running pods; the demo then drains the node under the compliant Deployment and shows
# its pods recreated on the others. Exits non-zero if any verdict or outcome differs.
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

# The workloads kubeguard admitted run: their controllers create the pods, as their own service
# accounts, and kwok starts them on the fake nodes.
deployment=$("$kubectl" get -n "$enforce_ns" -f examples/deployment-compliant.yaml -o name 2>/dev/null)
if [ -n "$deployment" ]; then
	echo
	echo "${bold}== The admitted workloads run: Deployments roll out, pods are Running${plain}"
	show rollout status -n "$enforce_ns" "$deployment" --timeout=2m
	expect 0 $? "rollout of $deployment in $enforce_ns"
	# In dry-run the controllers' pods are admitted too, with warnings kubectl does not see.
	legacy=$("$kubectl" get -n "$dry_run_ns" -f examples/deployment-noncompliant.yaml -o name 2>/dev/null)
	if [ -n "$legacy" ]; then
		show rollout status -n "$dry_run_ns" "$legacy" --timeout=2m
		expect 0 $? "rollout of $legacy in $dry_run_ns"
	fi
	show get nodes
	show get pods -n "$enforce_ns" -o wide
	show get pods -n "$dry_run_ns" -o wide

	# A node-image upgrade drains each node: the evicted pods come back on the others.
	selector=$("$kubectl" get -n "$enforce_ns" "$deployment" -o go-template='{{range $k, $v := .spec.selector.matchLabels}}{{$k}}={{$v}},{{end}}')
	selector=${selector%,}
	node=$("$kubectl" get pods -n "$enforce_ns" -l "$selector" -o jsonpath='{.items[0].spec.nodeName}')
	echo
	echo "${bold}== Draining $node, as a node-image upgrade does: its pods come back on the other nodes${plain}"
	# --force: the example's bare Pod has no controller to bring it back; drain deletes it.
	show drain "$node" --ignore-daemonsets --delete-emptydir-data --force --timeout=2m
	expect 0 $? "drain of $node"
	show rollout status -n "$enforce_ns" "$deployment" --timeout=2m
	expect 0 $? "rollout of $deployment after the drain"
	show get pods -n "$enforce_ns" -l "$selector" -o wide
	on_drained=$("$kubectl" get pods -n "$enforce_ns" -l "$selector" --field-selector "spec.nodeName=$node" -o name)
	expect "" "$on_drained" "pods of $deployment left on $node"
	show uncordon "$node"
fi

echo
if [ "$failures" -ne 0 ]; then
	echo "demo: $failures verdict(s) differed from what the examples' names promise" >&2
	exit 1
fi
echo "demo: every example got the verdict its name promises"
