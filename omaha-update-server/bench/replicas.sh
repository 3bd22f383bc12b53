#!/usr/bin/env bash
# Update checks per second and latency of `cairn serve` on SQLite, on PostgreSQL with one replica,
# and on PostgreSQL with two replicas sharing the database, side by side, with wrk and update-check.lua.
# Usage: omaha-update-server/bench/replicas.sh [INSTANCES] [DURATION]   (needs wrk and PostgreSQL 15)
# Starts its own PostgreSQL (fsync on, default settings but for the two printed) in a temporary
# directory on a free port. For each database: registers INSTANCES machines through one server
# (REGISTER mode of update-check.lua, as run.sh), then full load (wrk -t2 -c32) and a steady
# 2,000 checks/s against each configuration. Two replicas: one wrk per replica, at the same time,
# each with half the connections (-t1 -c16; steady 1,000 checks/s each); their rates are added,
# and the latency shown is the worse of the two wrk's. Run as root (PostgreSQL runs as postgres).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
instances="${1:-10000}"
duration="${2:-15s}"
pool="${POOL:-10}"
pgbin="${PGBIN:-/usr/lib/postgresql/15/bin}"
command -v wrk >/dev/null || { echo "replicas.sh: needs wrk" >&2; exit 1; }
[ -x "$pgbin/postgres" ] || { echo "replicas.sh: no PostgreSQL in $pgbin (set PGBIN)" >&2; exit 1; }
lua="omaha-update-server/bench/update-check.lua"
tmp="$(mktemp -d)"
chmod 755 "$tmp"
pids=()
cleanup() {    # the servers first, then PostgreSQL
  set +e
  for p in "${pids[@]:1}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:1}"; do wait "$p" 2>/dev/null || true; done
  [ -f "$tmp/pg/data/postmaster.pid" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$tmp/pg/data" stop -m fast >/dev/null
  for log in "$tmp"/*.log; do    # what the servers said beyond their start, for the record
    grep -E "SEVERE|WARN|ERROR|FATAL|Exception" "$log" | sed "s|^|$(basename "$log"): |" | head -20 >&2 || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { local p=$1; while ss -ltn | grep -q ":$p "; do p=$((p + 1)); done; echo $p; }
wait_up() { for _ in $(seq 100); do curl -sf "localhost:$1/healthz" >/dev/null && return; sleep 0.2; done; echo "replicas.sh: no server on $1" >&2; exit 1; }
cd "$root"
./cairn --version >/dev/null
export INSTANCES="$instances"

# PostgreSQL: initdb with a password file, scram-sha-256; listens on 127.0.0.1 only.
pgport=$(free_port 25432)
install -d -o postgres -m 700 "$tmp/pg" "$tmp/pgsock"
pw="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
echo "$pw" > "$tmp/pwfile" && chown postgres "$tmp/pwfile" && chmod 600 "$tmp/pwfile"
runuser -u postgres -- "$pgbin/initdb" -D "$tmp/pg/data" --locale=C -E UTF8 -A scram-sha-256 -U postgres \
  --pwfile="$tmp/pwfile" > "$tmp/initdb.txt"
runuser -u postgres -- "$pgbin/postgres" -D "$tmp/pg/data" -p "$pgport" -c listen_addresses=127.0.0.1 \
  -c max_connections=100 -k "$tmp/pgsock" > "$tmp/postgres.log" 2>&1 &
pids+=($!)
export PGPASSWORD="$pw"
psql=("$pgbin/psql" -X -q -h 127.0.0.1 -p "$pgport" -U postgres -v ON_ERROR_STOP=1)
for _ in $(seq 50); do "${psql[@]}" -c 'select 1' >/dev/null 2>&1 && break; sleep 0.2; done
"${psql[@]}" -c "create role cairn login password '$pw'" -c "create database cairn owner cairn"
echo "PostgreSQL $("${psql[@]}" -Atc 'show server_version') on 127.0.0.1:$pgport, settings:"
"${psql[@]}" -Atc "select '  ' || name || ' = ' || setting || coalesce(' ' || unit, '') from pg_settings where name in
  ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers', 'max_connections',
   'max_wal_size', 'checkpoint_timeout', 'listen_addresses') order by name"
echo "cairn serve --database-pool $pool; every server, wrk and PostgreSQL share this machine's $(nproc) cores"
export CAIRN_DATABASE_PASSWORD="$pw"
db="postgresql://cairn@127.0.0.1:$pgport/cairn"
p0=$(free_port 18290); p1=$(free_port $((p0 + 1))); p2=$(free_port $((p1 + 1)))

serve() {    # serve NAME PORT [--database URL]: starts a server with the data directory $tmp/NAME
  ./cairn serve --listen "127.0.0.1:$2" --data-dir "$tmp/$1" "${@:3}" > "$tmp/$1.log" 2>&1 &
  pids+=($!)
  wait_up "$2"
}
register() {    # register PORT RATE: every machine checks at least once, through one server
  local secs=$((instances / $2 + 30))    # + the warm-up
  REGISTER=1 wrk -t1 -c32 -d"${secs}s" -s "$lua" "http://127.0.0.1:$1" > "$tmp/register.txt"
  local sent rate
  sent="$(awk '/requests in/ {print $1}' "$tmp/register.txt")"
  rate="$(awk '/Requests\/sec/ {printf "%d", $2}' "$tmp/register.txt")"
  echo "  registration: $sent checks in ${secs}s, $rate checks/s"
  [ "$sent" -ge "$instances" ] || { echo "replicas.sh: only $sent checks, fewer than $instances machines" >&2; exit 1; }
}
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0;
  else if (v ~ /s$/) printf "%.2f", v * 1000; else print v }'; }
# measure LABEL LOAD PORT...: one wrk per port at the same time, connections split; prints a row
measure() {
  local label=$1 load=$2; shift 2
  local n=$# i=0 c=$((32 / $#)) t=$((2 / $#)) env=() wrks=()
  [ "$load" = steady ] && env=(RATE=$((2000 / n)) CONNECTIONS=$c)
  for port in "$@"; do
    env "${env[@]}" THREAD_OFFSET=$((i * 2)) wrk -t$t -c$c -d"$duration" --latency -s "$lua" \
      "http://127.0.0.1:$port" > "$tmp/wrk.$i.txt" &
    wrks+=($!) i=$((i + 1))
  done
  if [ "$label" != "${label#PostgreSQL}" ]; then    # what PostgreSQL's busy sessions wait for, sampled
    for _ in $(seq 10); do "${psql[@]}" -Atc "select coalesce(wait_event_type || ':' || wait_event, 'running')
      from pg_stat_activity where datname = 'cairn' and state <> 'idle'" >> "$tmp/waits"; sleep 1; done
  fi
  wait "${wrks[@]}"
  [ -f "$tmp/waits" ] && echo "  PostgreSQL sessions (10 samples): $(sort "$tmp/waits" | uniq -c | sort -rn | head -5 |
    awk '{printf "%s%s %s", sep, $1, $2; sep = ", "}')" && rm "$tmp/waits"
  local rate=0 p50=0 p99=0 errors=0
  for f in "$tmp"/wrk.*.txt; do
    rate=$(awk -v r="$rate" '/Requests\/sec/ {printf "%d", r + $2}' "$f")
    p50=$(awk -v a="$p50" -v b="$(ms "$(awk '$1 == "50%" {print $2}' "$f")")" 'BEGIN {print (b > a ? b : a)}')
    p99=$(awk -v a="$p99" -v b="$(ms "$(awk '$1 == "99%" {print $2}' "$f")")" 'BEGIN {print (b > a ? b : a)}')
    errors=$((errors + $(awk '/Non-2xx|Socket errors/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i} END {print s + 0}' "$f")))
  done
  rm -f "$tmp"/wrk.*.txt
  echo "$label|$load|$rate|$p50|$p99|$errors" >> "$tmp/rows"
  echo "  $label, $load: $rate checks/s, p50 $p50 ms, p99 $p99 ms, $errors errors"
}

echo "== SQLite, one server ($instances machines)"
serve sqlite $p0
register $p0 "${SQLITE_REGISTER_RATE:-8000}"
measure "SQLite, one server" full $p0
measure "SQLite, one server" steady $p0
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

pg_rate="${PG_REGISTER_RATE:-1000}"    # measured: about 1,000-2,600 a second at 100,000 machines
if [ $((instances / pg_rate)) -gt 1500 ]; then
  echo "== PostgreSQL skipped: registering $instances machines at about $pg_rate a second would take" \
    "$((instances / pg_rate / 60)) minutes (PG_REGISTER_RATE sets the rate assumed)"
  instances_pg=0
fi
if [ "${instances_pg:-1}" != 0 ]; then
echo "== PostgreSQL, one replica ($instances machines)"
serve r1 $p1 --database "$db" --database-pool "$pool"
register $p1 "${pg_rate}"
measure "PostgreSQL, one replica" full $p1
measure "PostgreSQL, one replica" steady $p1

echo "== PostgreSQL, two replicas on the same database"
install -d -m 700 "$tmp/r2" && install -m 600 "$tmp/r1/admin.token" "$tmp/r2/admin.token"
serve r2 $p2 --database "$db" --database-pool "$pool"
measure "PostgreSQL, two replicas" full $p1 $p2
measure "PostgreSQL, two replicas" steady $p1 $p2
T=$(cat "$tmp/r1/admin.token")
echo "instances in PostgreSQL, listed through the second replica (first 10,000 at most): $(curl -s \
  -H "Authorization: Bearer $T" "localhost:$p2/api/v1/instances?limit=10000" | grep -o machine_id | wc -l)"
fi

echo
echo "$instances machines, $duration per run; two replicas: rates added, latency the worse wrk's"
awk -F'|' '{ if ($1 ~ /^SQLite/) base[$2] = $3; r = base[$2] ? sprintf("%.2f", $3 / base[$2]) : "-";
  printf "| %-26s | %-6s | %7s | %6s ms | %7s ms | %5s | %6s |\n", $1, $2, $3, $4, $5, r, $6 }
  BEGIN { printf "| %-26s | %-6s | %7s | %9s | %10s | %5s | %6s |\n", "configuration", "load", "checks/s", "p50", "p99", "ratio", "errors" }' "$tmp/rows"
