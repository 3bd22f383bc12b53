#!/usr/bin/env bash
# Update checks per second and latency of `cairn serve` on loopback, with wrk and update-check.lua.
# Usage: omaha-update-server/bench/run.sh [INSTANCES] [DURATION]   (needs wrk: apt-get install wrk)
# 1. registers INSTANCES machines (at least one check each), 2. full load at -t2 -c32,
# 3. a steady 2,000 checks/s (each connection pauses between checks; wrk's delay()).
# All of wrk's connections come from 127.0.0.1: the server's per-address limits are set below and
# printed, so the figures say what they were measured with (CONNS_PER_ADDRESS, default 256, the
# server's default; GRANTS_PER_ADDRESS, default 20, the server's default: no package is published,
# so no check is granted and the grant limit is never reached).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
instances="${1:-10000}"
duration="${2:-20s}"
command -v wrk >/dev/null || { echo "run.sh: needs wrk" >&2; exit 1; }
tmp="$(mktemp -d)"
port=18090
cd "$root"
./cairn --version >/dev/null
conns="${CONNS_PER_ADDRESS:-256}"
grants="${GRANTS_PER_ADDRESS:-20}"
limits=()
if ./cairn serve --help | grep -q -- --max-connections-per-address; then    # older servers lack them
  limits=(--max-connections-per-address "$conns" --address-grants "$grants")
  echo "per-address limits: $conns connections, $grants new grants per hour (wrk's 32 connections are all 127.0.0.1)"
fi
./cairn serve --listen 127.0.0.1:$port --data-dir "$tmp/data" "${limits[@]}" > "$tmp/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do curl -sf localhost:$port/healthz >/dev/null && break; sleep 0.2; done
export INSTANCES="$instances"
echo "registering $instances machines (one thread, machine ids in order)"
REGISTER=1 wrk -t1 -c32 -d"$((instances / 15000 + 5))s" -s omaha-update-server/bench/update-check.lua \
  "http://127.0.0.1:$port" > "$tmp/register.txt"
sent="$(awk '/requests in/ {print $1}' "$tmp/register.txt")"
echo "  registration: $sent checks"
if [ "$sent" -lt "$instances" ]; then
  echo "run.sh: only $sent checks in the registration run, fewer than $instances machines" >&2
  exit 1
fi
echo "full load, wrk -t2 -c32 -d$duration, $instances machines"
wrk -t2 -c32 -d"$duration" --latency -s omaha-update-server/bench/update-check.lua "http://127.0.0.1:$port"
echo "steady 2,000 checks/s (32 connections, each pausing 14.5 ms between checks), $duration"
RATE=2000 CONNECTIONS=32 wrk -t2 -c32 -d"$duration" --latency -s omaha-update-server/bench/update-check.lua \
  "http://127.0.0.1:$port" | grep -E "Requests/sec|50%|90%|99%"
T=$(cat "$tmp/data/admin.token")
echo "instances listed (first 10,000 at most): $(curl -s -H "Authorization: Bearer $T" "localhost:$port/api/v1/instances?limit=10000" | grep -c machine_id)"
if [ -n "${KEEP_DATA:-}" ]; then
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$KEEP_DATA" && cp -r "$tmp/data" "$KEEP_DATA" && echo "data directory kept in $KEEP_DATA"
fi
