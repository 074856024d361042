#!/usr/bin/env bash
# Read-path figures with wrk (a C load generator, as the reference figures
# of issue 7 were taken): starts a local 3-node cluster with client budgets
# lifted, loads uploads through `tekstore bench`, then measures at a
# follower: a ~100-key delta, a full read (since=0) and a checkpoint export
# file, and Go net/http serving the same export bytes from memory.
# The delta is measured RUNS times (default 3): each run prints req/s and
# the follower's CPU time per request (from /proc, less sensitive to other
# load on a shared machine than req/s), then the medians.
# Needs wrk (apt-get install wrk). Loopback only; bounded by DURATION.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
RUNS=${RUNS:-3}
BIN=bin/tekstore
command -v wrk >/dev/null || { echo "bench-wrk: wrk not found (apt-get install wrk)" >&2; exit 1; }
go build -o "$BIN" ./cmd/tekstore # always: a stale binary would measure old code

dir=$(mktemp -d /tmp/tekstore-wrk-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

printf 'tka_%s\n' "$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" > "$dir/admin-token"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$dir/key.pem"
token=$(cat "$dir/admin-token")
lift=(--limit-publish-rate=-1 --limit-read-rate=-1 --limit-token-rate=-1 --limit-failed-codes-per-hour=-1
      --limit-long-polls-per-client=100000 --max-long-polls=100000 --max-in-flight=100000)
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
start() { # id http raft gossip extra...
  local id=$1 http=$2 raft=$3 gossip=$4; shift 4
  "$BIN" serve --id "$id" --data "$dir/$id" --http "127.0.0.1:$http" --raft "127.0.0.1:$raft" --gossip "127.0.0.1:$gossip" \
    --dc "dc-$id" --admin-token-file "$dir/admin-token" --signing-key "$dir/key.pem" --checkpoint-interval 3s \
    --log-level warn "${lift[@]}" "$@" >"$dir/$id.log" 2>&1 &
  pids+=($!)
}
ready() { for _ in $(seq 300); do curl -sf "$1/readyz" >/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }
base=$((20000 + RANDOM % 20000))
start n1 $base $((base+1)) $((base+2)) --bootstrap; ready "http://127.0.0.1:$base"
start n2 $((base+10)) $((base+11)) $((base+12)) --join "http://127.0.0.1:$base"; ready "http://127.0.0.1:$((base+10))"
start n3 $((base+20)) $((base+21)) $((base+22)) --join "http://127.0.0.1:$base"; ready "http://127.0.0.1:$((base+20))"
urls="http://127.0.0.1:$base,http://127.0.0.1:$((base+10)),http://127.0.0.1:$((base+20))"
follower="http://127.0.0.1:$((base+20))"
follower_pid=${pids[2]}

"$BIN" bench --addr "$urls" --admin-token "$token" --scenario fill --fill-keys "${KEYS:-10000}" --concurrency 32 >/dev/null
since=$(curl -s -D - -o /dev/null "$follower/healthz" | tr -d '\r' | sed -n 's/^X-Tekstore-Index: //p')
"$BIN" bench --addr "$urls" --admin-token "$token" --scenario fill --fill-keys 100 --concurrency 4 >&2
sleep 4 # one checkpoint interval, so that a checkpoint holds the last uploads
n=$(curl -s "$follower/v1/checkpoints" | sed -n 's/.*"latest":\([0-9]*\).*/\1/p')

echo "== delta since=$since ($(curl -s "$follower/v1/keys?since=$since" | grep -o '"key"' | wc -l) keys), $RUNS runs"
tck=$(getconf CLK_TCK)
: > "$dir/delta-runs"
for run in $(seq "$RUNS"); do
  c0=$(cpu_ticks "$follower_pid")
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" "$follower/v1/keys?since=$since")
  c1=$(cpu_ticks "$follower_pid")
  rps=$(sed -n 's/^Requests\/sec: *//p' <<<"$out")
  nreq=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
  us=$(awk -v c="$((c1 - c0))" -v t="$tck" -v n="$nreq" 'BEGIN {printf "%.1f", c * 1e6 / t / n}')
  echo "run $run: $rps req/s, follower CPU $us us/request, $(grep -E '^ *Latency' <<<"$out" | awk '{print "latency avg", $2, "max", $4}')"
  echo "$rps $us" >> "$dir/delta-runs"
done
echo "median: $(awk '{print $1}' "$dir/delta-runs" | median) req/s, $(awk '{print $2}' "$dir/delta-runs" | median) us/request"
echo "== full since=0 (first page, ${KEYS:-10000} keys)"
wrk -t2 -c"$CONNS" -d"$DURATION" "$follower/v1/keys?since=0" | grep -E "Requests/sec|Latency"
echo "== checkpoint $n export.zip"
curl -s -o "$dir/export.zip" "$follower/v1/checkpoints/$n/export.zip"
wrk -t2 -c"$CONNS" -d"$DURATION" "$follower/v1/checkpoints/$n/export.zip" | grep -E "Requests/sec|Latency"
echo "== Go net/http serving the same $(stat -c %s "$dir/export.zip") bytes from memory"
"$BIN" bench-serve-file --file "$dir/export.zip" --addr "127.0.0.1:$((base+30))" &
pids+=($!)
ready_file() { for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$((base+30))/" && return 0; sleep 0.1; done; }
ready_file
wrk -t2 -c"$CONNS" -d"$DURATION" "http://127.0.0.1:$((base+30))/" | grep -E "Requests/sec|Latency"
