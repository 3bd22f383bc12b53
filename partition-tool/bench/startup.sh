#!/usr/bin/env bash
# Start-up benchmark for the commands that run in boot paths. Prints the wall time of
# `./cairn gpt show` and `./cairn gpt next` on a CoreOS-layout image, side by side with a plain
# `java -jar` run (no class-data sharing, default JIT) as the baseline, and cgpt for scale.
# Usage: partition-tool/bench/startup.sh [RUNS]   (needs hyperfine; apt-get install hyperfine)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-30}"
command -v hyperfine >/dev/null || { echo "startup.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root"
./cairn gpt create --size 8G --layout coreos "$tmp/disk.img" >/dev/null
cp --sparse=always "$tmp/disk.img" "$tmp/next.img"
plain="java -jar cli/target/cairn.jar"
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$tmp/show.md" \
  -n "baseline: java -jar ... gpt show" "$plain gpt show $tmp/disk.img" \
  -n "./cairn gpt show" "./cairn gpt show $tmp/disk.img" \
  -n "cgpt show" "cgpt show $tmp/disk.img"
# next writes the table back when tries > 0; mark-update first so every run decrements and writes.
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$tmp/next.md" \
  --prepare "./cairn gpt add -i 4 -P 2 -T 15 -S 0 $tmp/next.img" \
  -n "baseline: java -jar ... gpt next" "$plain gpt next $tmp/next.img" \
  -n "./cairn gpt next" "./cairn gpt next $tmp/next.img"
cat "$tmp/show.md" "$tmp/next.md"
