#!/usr/bin/env bash
# Update checks per second and latency of `cairn serve` on loopback, with wrk and update-check.lua.
# Usage: omaha-update-server/bench/run.sh [INSTANCES] [DURATION]   (needs wrk: apt-get install wrk)
# 1. registers INSTANCES machines (at least one check each), 2. full load at -t2 -c32,
# 3. a steady 2,000 checks/s (each connection pauses between checks; wrk's delay()).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
instances="${1:-10000}"
duration="${2:-20s}"
command -v wrk >/dev/null || { echo "run.sh: needs wrk" >&2; exit 1; }
tmp="$(mktemp -d)"
port=18090
cd "$root"
./cairn --version >/dev/null
./cairn serve --listen 127.0.0.1:$port --data-dir "$tmp/data" > "$tmp/serve.log" 2>&1 &
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
