#!/usr/bin/env bash
# Update checks per second of `cairn serve` during a rollout, by how many machines the group was
# already granted: the cost of the group's counts (rate limit, failure brake) that every check reads.
# Usage: omaha-update-server/bench/rollout.sh [N...]        (default N: 0 100000 1000000; needs wrk)
#   BASELINE=REV  also measure git revision REV (built in a temporary worktree) and print both
#   DURATION=20   seconds of the measured run; longer when the warm-up shows that 32 checks (one
#                 batch: the checks queued when a commit starts are answered together) take more
#                 than a third of it (at most 180)
#   WARMUP=5s     a run before it with 2 connections (so that few of its checks are still queued
#                 when the measured run starts; its grants count too), 0 for none
#   SCENARIOS="rate rate-pct brake"; FAILURES=F counted failures for "brake" (default N/1000)
#   TOTAL=M       the group has M machines in every row: N granted in the period, the other M-N
#                 granted an older version three days ago, so only the grants in the period differ
#                 between rows, not the size of the tables
# Scenarios, each a group "bench" limited to 100,000,000 grants per hour, so the limit never holds:
#   rate      failure brake off (failure_brake 0, failure_percent 0): the grants in the period only
#   rate-pct  failure brake off but failure_percent 10, as `cairn admin group create
#             --halt-after-failures 0` leaves it (the default percent): the store is asked for the
#             grants of the target too (minFailures 0)
#   brake     brake at 10 failures and 10 %, with F = N/1000 failures recorded, which never trip it,
#             but its counts (failures, grants of the target) are read on every check
# For each scenario and N: a fresh data directory; cairn serve on loopback (per-address limits off,
# --allow-unsigned); package 3602.2.0 (metadata only) on channel stable, group bench following it;
# the server stopped; Prefill.java writes N machines granted within the last 50 minutes (and the
# failures) through the store's port; the server started again; then wrk -t2 -c32 with
# rollout-check.lua: every check a never-seen machine of the group, so each one is granted (the
# script checks that every answer offered the update and that the group was not paused).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench="$root/omaha-update-server/bench"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(0 100000 1000000)
duration="${DURATION:-20}"; duration="${duration%s}"
warmup="${WARMUP:-5s}"
scenarios=(${SCENARIOS:-rate rate-pct brake})
baseline="${BASELINE:-}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v wrk >/dev/null || { echo "rollout.sh: needs wrk" >&2; exit 1; }
tmp="$(mktemp -d)"
pid=""
cleanup() {
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
  if [ -d "$tmp/base" ]; then git -C "$root" worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# The jars: "current" is this tree's (./cairn builds it when stale), "baseline" REV's.
cd "$root"
./cairn --version >/dev/null
labels=(current)
jars=("$root/cli/target/cairn.jar")
if [ -n "$baseline" ]; then
  rev="$(git rev-parse --short "$baseline")"
  echo "building the baseline $baseline ($rev) in a temporary worktree"
  git worktree add --detach "$tmp/base" "$rev" >/dev/null 2>&1
  (cd "$tmp/base" && mvn -B -ntp -q -DskipTests package -pl cli -am) >"$tmp/base-build.log" 2>&1 ||
    { tail -30 "$tmp/base-build.log" >&2; exit 1; }
  labels=(baseline current)
  jars=("$tmp/base/cli/target/cairn.jar" "$root/cli/target/cairn.jar")
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
  echo 18093)"
url="http://127.0.0.1:$port"

serve() {   # serve JAR DATA: starts cairn serve as ./cairn does (G1, 2 ms pause goal), waits for it
  "$java" -XX:-UsePerfData -XX:+UseG1GC -XX:MaxGCPauseMillis=2 -jar "$1" serve --listen "127.0.0.1:$port" \
    --data-dir "$2" --max-connections-per-address 0 --address-grants 0 --allow-unsigned >>"$2.serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    curl -sf "$url/healthz" >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "rollout.sh: cairn serve did not start; its log:" >&2; cat "$2.serve.log" >&2; exit 1
}
stop() {
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}
api() {     # api DATA METHOD PATH [JSON]
  curl -sS --fail-with-body -X "$2" -H "Authorization: Bearer $(cat "$1/admin.token")" -H "Content-Type: application/json" \
    ${4:+--data "$4"} "$url$3"
}

# run LABEL JAR SCENARIO N: sets result to "checks/s p50 p99" (ms); its report goes to stderr
run() {
  local label="$1" jar="$2" scenario="$3" n="$4" data="$tmp/data-$1-$3-$4" f=0 brake=0 percent=0
  case "$scenario" in
    rate) ;;
    rate-pct) percent=10 ;;
    brake) f="${FAILURES:-$((n / 1000))}"; brake=10; percent=10 ;;
    *) echo "rollout.sh: unknown scenario '$scenario' (rate, rate-pct, brake)" >&2; exit 2 ;;
  esac
  rm -rf "$data" "$data.serve.log"
  serve "$jar" "$data"
  api "$data" POST /api/v1/packages '{"version": "3602.2.0", "name": "flatcar_production_update.gz",
    "size": 304218311, "sha1": "AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=",
    "sha256": "0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=", "url": "http://127.0.0.1/"}' >/dev/null
  api "$data" PUT /api/v1/channels/stable '{"version": "3602.2.0"}' >/dev/null
  api "$data" POST /api/v1/groups "{\"name\": \"bench\", \"channel\": \"stable\", \"policy\": {
    \"max_updates_per_period\": 100000000, \"period_seconds\": 3600, \"update_timeout_seconds\": 3600,
    \"failure_brake\": $brake, \"failure_percent\": $percent}}" >/dev/null
  stop
  earlier=0
  if [ -n "${TOTAL:-}" ]; then earlier=$((TOTAL - n)); fi
  "$java" -cp "$jar" "$bench/Prefill.java" "$data" "$n" "$f" bench 50 "$earlier" >&2
  serve "$jar" "$data"
  echo "  $label $scenario N=$n F=$f (brake $brake, $percent %), load: $(uptime | sed 's/.*load average: //')" >&2
  if [ "$warmup" != 0 ]; then
    PHASE=w wrk -t2 -c2 -d"$warmup" --timeout 60s -s "$bench/rollout-check.lua" "$url" >"$data.warmup.txt"
    echo "    warm-up: $(grep -E 'Requests/sec' "$data.warmup.txt" | tr -s ' '), $(grep answers "$data.warmup.txt")" >&2
  fi
  # The checks queued when a commit starts are decided in one batch and answered together: when
  # the warm-up shows 32 of them take longer than a third of the run, the run is made longer.
  local secs="$duration" warm
  warm="$(awk '/Requests\/sec/ {print $2}' "$data.warmup.txt" 2>/dev/null || true)"
  if [ -n "$warm" ]; then
    secs="$(awk -v w="$warm" -v d="$duration" 'BEGIN { s = w > 0 ? int(3 * 32 / w) + 1 : 180;
      if (s < d) s = d; if (s > 180) s = 180; print s }')"
  fi
  PHASE=m wrk -t2 -c32 -d"${secs}s" --timeout 120s --latency -s "$bench/rollout-check.lua" "$url" >"$data.wrk.txt"
  local cps answers offered p50 p99
  cps="$(awk '/Requests\/sec/ {print $2}' "$data.wrk.txt")"
  answers="$(awk '/^answers:/ {print $2+0}' "$data.wrk.txt")"
  offered="$(awk '/^answers:/ {print $NF}' "$data.wrk.txt")"
  p50="$(awk '/^latency-us:/ {printf "%.1f", $3/1000}' "$data.wrk.txt")"
  p99="$(awk '/^latency-us:/ {printf "%.1f", $7/1000}' "$data.wrk.txt")"
  echo "    measured over ${secs}s: $cps checks/s, p50 $p50 ms, p99 $p99 ms; $answers answers, $offered offering the update" >&2
  if grep -qE 'Non-2xx|Socket errors' "$data.wrk.txt"; then grep -E 'Non-2xx|Socket errors' "$data.wrk.txt" >&2; fi
  if [ "$answers" != "$offered" ]; then
    echo "rollout.sh: $((answers - offered)) of $answers checks were not granted; wrk's output:" >&2
    cat "$data.wrk.txt" >&2; exit 1
  fi
  if api "$data" GET /api/v1/groups/bench | grep -q '"paused" *: *true'; then
    echo "rollout.sh: the group was paused (failure brake?): $(api "$data" GET /api/v1/groups/bench)" >&2; exit 1
  fi
  stop
  rm -rf "$data"
  result="$cps $p50 $p99 $secs"
}

declare -A rps p50s p99s runs
for s in "${scenarios[@]}"; do
  for n in "${sizes[@]}"; do
    for i in "${!labels[@]}"; do
      result=""
      run "${labels[$i]}" "${jars[$i]}" "$s" "$n"
      read -r r a b d <<<"$result"
      rps[$s,$n,$i]="$r"; p50s[$s,$n,$i]="$a"; p99s[$s,$n,$i]="$b"; runs[$s,$n,$i]="$d"
    done
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo
echo "wrk -t2 -c32 -d${duration}s or longer (run s) --timeout 120s, after a $warmup warm-up; each check a never-seen machine of group bench, granted"
header="scenario  N       "
for l in "${labels[@]}"; do header+="$(printf '| %8s checks/s  p50 ms  p99 ms  run s  vs N=%s ' "$l" "${sizes[0]}")"; done
[ ${#labels[@]} -eq 2 ] && header+="| current/baseline"
echo "$header"
for s in "${scenarios[@]}"; do
  for n in "${sizes[@]}"; do
    line="$(printf '%-9s %-8s' "$s" "$n")"
    for i in "${!labels[@]}"; do
      line+="$(printf '| %17s  %6s  %6s  %5s  %6s ' "${rps[$s,$n,$i]}" "${p50s[$s,$n,$i]}" "${p99s[$s,$n,$i]}" \
        "${runs[$s,$n,$i]}" \
        "$(ratio "${rps[$s,$n,$i]}" "${rps[$s,${sizes[0]},$i]}")")"
    done
    [ ${#labels[@]} -eq 2 ] && line+="| $(ratio "${rps[$s,$n,1]}" "${rps[$s,$n,0]}")"
    echo "$line"
  done
done
