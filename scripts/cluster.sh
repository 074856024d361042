#!/usr/bin/env bash
# Local three-node tekstore cluster, one node per "data center" (dc1..dc3),
# as background processes with data, logs and pid files under ./.cluster/.
#
#   scripts/cluster.sh start   build first (make build); start n1..n3 and wait until ready
#   scripts/cluster.sh stop    stop them (SIGTERM, then wait)
#   scripts/cluster.sh status  tekstore cluster status
#
# Ports: HTTP 8081-8083, Raft 7001-7003, gossip 7101-7103 (change with
# HTTP_BASE, RAFT_BASE, GOSSIP_BASE). A second start reuses the data: the
# nodes rejoin by themselves.
set -euo pipefail

BIN=${BIN:-bin/tekstore}
DIR=${CLUSTER_DIR:-.cluster}
HTTP_BASE=${HTTP_BASE:-8080}
RAFT_BASE=${RAFT_BASE:-7000}
GOSSIP_BASE=${GOSSIP_BASE:-7100}
NODES=(n1 n2 n3)

die() { echo "cluster.sh: $*" >&2; exit 1; }

url_of() { echo "http://127.0.0.1:$((HTTP_BASE + $1))"; }

running() { [[ -f "$DIR/$1.pid" ]] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

wait_ready() {
	local id=$1 url=$2
	for _ in $(seq 1 150); do
		if curl -fsS -o /dev/null "$url/readyz" 2>/dev/null; then return 0; fi
		running "$id" || die "$id exited; see $DIR/$id.log"
		sleep 0.2
	done
	die "$id not ready after 30s; see $DIR/$id.log"
}

secret() { head -c "$1" /dev/urandom | base64 | tr -d '\n'; }

start() {
	[[ -x "$BIN" ]] || die "$BIN not found: run make build"
	command -v curl >/dev/null || die "curl is required"
	mkdir -p "$DIR"
	chmod 700 "$DIR"
	[[ -s "$DIR/admin-token" ]] || { echo "tka_$(secret 24 | tr '+/' '-_' | tr -d '=')" >"$DIR/admin-token"; chmod 600 "$DIR/admin-token"; }
	[[ -s "$DIR/gossip-key" ]] || { secret 32 >"$DIR/gossip-key"; chmod 600 "$DIR/gossip-key"; }
	local i=0 id
	for id in "${NODES[@]}"; do
		i=$((i + 1))
		if running "$id"; then echo "$id already running (pid $(cat "$DIR/$id.pid"))"; continue; fi
		local args=(serve --id "$id" --data "$DIR/$id" --dc "dc$i"
			--http "127.0.0.1:$((HTTP_BASE + i))" --raft "127.0.0.1:$((RAFT_BASE + i))"
			--gossip "127.0.0.1:$((GOSSIP_BASE + i))" --gossip-profile local
			--gossip-key "$(cat "$DIR/gossip-key")" --admin-token-file "$DIR/admin-token")
		local fresh=false
		if [[ ! -d "$DIR/$id" ]]; then
			# A new data directory: n1 starts the cluster, the others join it.
			fresh=true
			if [[ $id == n1 ]]; then args+=(--bootstrap); else args+=(--join "$(url_of 1)"); fi
		fi
		nohup "$BIN" "${args[@]}" >>"$DIR/$id.log" 2>&1 &
		echo $! >"$DIR/$id.pid"
		# A new first node must lead before the others ask it to add them; a
		# restarted one waits for the others to form a majority.
		if [[ $id == n1 && $fresh == true ]]; then wait_ready "$id" "$(url_of 1)"; fi
	done
	i=0
	for id in "${NODES[@]}"; do
		i=$((i + 1))
		wait_ready "$id" "$(url_of "$i")"
	done
	echo
	echo "tekstore cluster running (data, logs and pids in $DIR/):"
	i=0
	for id in "${NODES[@]}"; do
		i=$((i + 1))
		echo "  $id  dc$i  $(url_of "$i")"
	done
	echo
	echo "admin token: $(cat "$DIR/admin-token")"
	echo
	echo "  export TEKSTORE_ADDR=$(url_of 1) TEKSTORE_TOKEN=$(cat "$DIR/admin-token")"
	echo "  $BIN cluster status"
	echo "  make cluster-stop"
}

stop() {
	local id pids=()
	for id in "${NODES[@]}"; do
		if running "$id"; then
			kill -TERM "$(cat "$DIR/$id.pid")"
			pids+=("$(cat "$DIR/$id.pid")")
			echo "stopping $id (pid $(cat "$DIR/$id.pid"))"
		fi
		rm -f "$DIR/$id.pid"
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then echo "pid $pid did not stop; killing"; kill -KILL "$pid" || true; fi
	done
	echo "stopped (data kept in $DIR/; rm -rf $DIR for a fresh cluster)"
}

status() {
	TEKSTORE_ADDR=$(url_of 1) TEKSTORE_TOKEN=$(cat "$DIR/admin-token") "$BIN" cluster status
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*) die "usage: $0 start|stop|status" ;;
esac
