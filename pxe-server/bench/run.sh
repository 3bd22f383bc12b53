#!/usr/bin/env bash
# The boot server against nginx, side by side in one run on this machine (wrk on the same cores):
#  1. requests/s of a small static file from nginx (the baseline),
#  2. /ipxe and /cloud-config of `cairn serve` with GROUPS groups, each machine a random one of them,
#  3. throughput of a 256 MiB asset from both.
# Each line also gives the CPU time the server spent per request (its user and system time over the
# run, JIT compiler threads included, divided by the requests served): unlike requests/s, it does
# not move much when other work shares the cores.
# Usage: pxe-server/bench/run.sh [GROUPS] [DURATION]   (needs wrk and nginx: apt-get install wrk nginx-light)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
groups="${1:-10000}"
duration="${2:-20s}"
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "run.sh: needs $tool" >&2; exit 1; }
done
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
tmp="$(mktemp -d)"
cport=18091
nport=18092
cd "$root"
./cairn --version >/dev/null

echo "writing $groups groups"
data="$tmp/data"
mkdir -p "$data/boot/profiles" "$data/boot/groups" "$data/boot/templates" "$data/boot/assets" "$tmp/static"
head -c 8M /dev/urandom > "$data/boot/assets/vmlinuz"
head -c 256M /dev/urandom > "$data/boot/assets/big.img"
ln "$data/boot/assets/big.img" "$tmp/static/big.img" 2>/dev/null || cp "$data/boot/assets/big.img" "$tmp/static/big.img"
cat > "$data/boot/profiles/bench.yaml" <<YAML
id: bench
boot:
  kernel: vmlinuz
  args: [console=ttyS0, "cloud-config-url=http://127.0.0.1:$cport/cloud-config?mac=\${mac:hexhyp}"]
cloud_config: bench
YAML
printf '#cloud-config\nhostname: ${hostname}\ncoreos:\n  update:\n    reboot-strategy: off\n' > "$data/boot/templates/bench.yaml"
for ((i = 0; i < groups; i++)); do
  printf 'id: g-%d\nprofile: bench\nselector:\n  mac: 52:54:00:%02x:%02x:%02x\nmetadata:\n  hostname: node-%d\n' \
    "$i" $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)) "$i" > "$data/boot/groups/g-$i.yaml"
done

./cairn serve --listen 127.0.0.1:$cport --data-dir "$data" --max-connections-per-address 0 > "$tmp/serve.log" 2>&1 &
pid=$!
cat > "$tmp/nginx.conf" <<CONF
user root;
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$nport; root $tmp/static; }
}
CONF
trap 'kill $pid 2>/dev/null; "$nginx_bin" -c "$tmp/nginx.conf" -s stop 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -sf "localhost:$cport/healthz" >/dev/null && break; sleep 0.3; done
curl -sf "localhost:$cport/ipxe?mac=52:54:00:00:00:01" > "$tmp/static/ipxe.txt"   # the same bytes, static
"$nginx_bin" -c "$tmp/nginx.conf"
for _ in $(seq 50); do curl -sf "localhost:$nport/ipxe.txt" >/dev/null && break; sleep 0.1; done
echo "small static file: $(wc -c < "$tmp/static/ipxe.txt") bytes (a real /ipxe answer)"

export GROUPS_COUNT="$groups"
lua="$root/pxe-server/bench/machines.lua"
rate() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1 == "99%" {print $2}'; }
ticks() {   # ticks PID...: their user + system CPU time, in clock ticks
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
hz="$(getconf CLK_TCK)"
nginx_pids() { local m; m="$(cat "$tmp/nginx.pid")"; echo "$m" $(pgrep -P "$m"); }
run() {   # run NAME URL "PIDS" [script]: prints requests/s, p99 and the server's CPU time per request
  local out before
  before="$(ticks $3)"
  if [ -n "${4:-}" ]; then
    out="$(ENDPOINT="$4" wrk -t2 -c32 -d"$duration" --latency -s "$lua" "$2")"
  else
    out="$(wrk -t2 -c32 -d"$duration" --latency "$2")"
  fi
  local cpu=$(( $(ticks $3) - before )) n
  n="$(echo "$out" | awk '/requests in/ {print $1}')"
  printf '%-34s %10s req/s   p99 %-9s %6.1f us CPU/request\n' "$1" "$(echo "$out" | rate)" "$(echo "$out" | p99)" \
    "$(awk -v c="$cpu" -v hz="$hz" -v n="$n" 'BEGIN {print c / hz * 1e6 / n}')"
  echo "$out" | rate > "$tmp/$1.rate"
}
echo "wrk -t2 -c32 -d$duration"
run nginx-static "http://127.0.0.1:$nport/ipxe.txt" "$(nginx_pids)"
run cairn-ipxe "http://127.0.0.1:$cport" "$pid" /ipxe
run cairn-cloud-config "http://127.0.0.1:$cport" "$pid" /cloud-config
n="$(cat "$tmp/nginx-static.rate")"
for e in cairn-ipxe cairn-cloud-config; do
  awk -v a="$(cat "$tmp/$e.rate")" -v b="$n" -v e="$e" 'BEGIN {printf "%-34s %.2fx nginx (goal >= 0.70x)\n", e, a / b}'
done

echo "256 MiB file, wrk -t2 -c4 -d$duration"
through() { wrk -t2 -c4 -d"$duration" "$1" | awk '/Transfer\/sec/ {print $2}'; }
nb="$(through "http://127.0.0.1:$nport/big.img")"
cb="$(through "http://127.0.0.1:$cport/assets/big.img")"
printf '%-34s %10s/s\n%-34s %10s/s\n' nginx-256MiB "$nb" cairn-assets-256MiB "$cb"
tobytes() { awk '{v = $1; u = substr(v, length(v) - 1); n = v + 0; m = (u == "GB") ? 1024 : (u == "MB") ? 1 : (u == "KB") ? 1 / 1024 : 1; print n * m}'; }
awk -v a="$(echo "$cb" | tobytes)" -v b="$(echo "$nb" | tobytes)" \
  'BEGIN {printf "%-34s %.2fx nginx (goal >= 0.90x)\n", "cairn-assets", a / b}'
