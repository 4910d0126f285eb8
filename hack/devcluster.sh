#!/usr/bin/env bash
# Starts (up) or stops (down) the local cluster of `make up` / `make down`: bin/devcluster runs etcd,
# kube-apiserver, kubeguard, the controller manager, the scheduler and kwok (three nodes) in the background, with its pid in bin/devcluster.pid and its logs
# in bin/up/. `down` stops only the process recorded there, and only if it is that devcluster.
#
# Usage: hack/devcluster.sh up|down   (run from the repository root, after make build and make tools)
set -euo pipefail

bin=$(pwd)/bin
dir=$bin/up
pid_file=$bin/devcluster.pid
ready_file=$dir/ready
log=$dir/devcluster.log
start_timeout=180 # seconds: the API server's first start on a busy two-core machine is slow
stop_timeout=60

# running_pid prints the pid of the recorded devcluster if that process is alive and is ours.
running_pid() {
	[ -f "$pid_file" ] || return 1
	local pid
	pid=$(cat "$pid_file")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	# The pid may have been reused by an unrelated process since: check what it runs.
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bin/devcluster" ] || return 1
	echo "$pid"
}

up() {
	if pid=$(running_pid); then
		echo "devcluster is already running (pid $pid); KUBECONFIG=$bin/kubeconfig. Run 'make down' to stop it."
		return 0
	fi
	rm -f "$pid_file" "$ready_file"
	mkdir -p "$dir"
	echo "up: starting etcd, kube-apiserver, kubeguard, controllers, scheduler and three kwok nodes (logs in $dir)"
	nohup "$bin/devcluster" --dir "$dir" --kubeconfig "$bin/kubeconfig" --pid-file "$pid_file" \
		--ready-file "$ready_file" ${KUBEGUARD_CONFIG:+--config "$KUBEGUARD_CONFIG"} >"$log" 2>&1 </dev/null &
	local pid=$! waited=0
	until [ -f "$ready_file" ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "up: devcluster exited before becoming ready; its log ($log) says:" >&2
			tail -n 40 "$log" >&2
			return 1
		fi
		if [ "$waited" -ge $((start_timeout * 10)) ]; then
			echo "up: not ready after ${start_timeout}s; stopping it. Log: $log" >&2
			tail -n 40 "$log" >&2
			down
			return 1
		fi
		sleep 0.1
		waited=$((waited + 1))
	done
	cat "$log"
	echo "up: ready. Try: KUBECONFIG=$bin/kubeconfig $bin/kubectl get nodes   ('make down' stops it)"
}

down() {
	local pid
	if ! pid=$(running_pid); then
		echo "down: no devcluster is running"
		rm -f "$pid_file" "$ready_file"
		return 0
	fi
	echo "down: stopping devcluster (pid $pid)"
	# Its children (etcd, kube-apiserver, kubeguard, controllers, scheduler, kwok), to kill as well should it have to be killed.
	local children
	children=$(grep -l "^PPid:[[:space:]]*$pid\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3 || true)
	kill -TERM "$pid"
	local waited=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$waited" -ge $((stop_timeout * 10)) ]; then
			echo "down: devcluster (pid $pid) did not stop within ${stop_timeout}s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
			for child in $children; do
				case $(readlink "/proc/$child/exe" 2>/dev/null) in
				"$bin"/*) kill -KILL "$child" 2>/dev/null || true ;;
				esac
			done
			break
		fi
		sleep 0.1
		waited=$((waited + 1))
	done
	rm -f "$pid_file" "$ready_file"
	echo "down: stopped"
}

case ${1:-} in
up) up ;;
down) down ;;
*)
	echo "usage: $0 up|down" >&2
	exit 2
	;;
esac
