#!/usr/bin/env bash
# Benchmark: `cairn install -f` against what coreos-install does (`bzcat | dd`) and against
# `lbzip2 -d | dd`, side by side in one run, on the same signed bzip2 disk image written to a file.
#
# The image is SIZE_MIB (default 1024) MiB: a GPT disk image whose body alternates 1 MiB of random
# bytes and 1 MiB of zeros, compressed with `bzip2 -9`, signed with a throwaway gpg key. It is
# built once and kept under installer/bench/target/. Each tool runs RUNS (default 3) times,
# interleaved, writing over the same preallocated target file; the page cache is not dropped
# (run as root with DROP_CACHES=1 to drop it before each run).
#
#   installer/bench/install.sh            # 1 GiB image, 3 runs each
#   SIZE_MIB=256 RUNS=2 installer/bench/install.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
size="${SIZE_MIB:-1024}"
runs="${RUNS:-3}"
work="$here/target/install-$size"
mkdir -p "$work"
cd "$work"

for tool in bzip2 lbzip2 sgdisk gpg dd; do
  command -v "$tool" >/dev/null || { echo "install.sh: needs $tool (apt-get install -y lbzip2 gdisk gnupg)" >&2; exit 1; }
done

if [ ! -f image.bin.bz2.sig ]; then
  echo "building a ${size} MiB image (bzip2 -9 takes a while; kept for later runs)" >&2
  rm -f image.bin image.bin.bz2
  truncate -s "${size}M" image.bin
  sgdisk -o image.bin >/dev/null
  sgdisk -n1:2048:+16M -c1:EFI-SYSTEM -t1:ef00 -n3:0:+64M -c3:USR-A -t3:5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6 \
    -n9:0:0 -c9:ROOT -t9:3884dd41-8582-4404-b9a8-e9b84f2df50e image.bin >/dev/null
  # Body: 1 MiB blocks from the 2nd MiB to the one before the last, odd ones random.
  python3 - "$size" <<'PY'
import os, sys
size = int(sys.argv[1])
with open("image.bin", "r+b") as f:
    for i in range(1, size - 1):
        f.seek(i << 20)
        f.write(os.urandom(1 << 20) if i % 2 else bytes(1 << 20))
PY
  bzip2 -9 -k image.bin
  export GNUPGHOME="$work/gnupg"
  mkdir -p -m 700 "$GNUPGHOME"
  gpg -q --batch --passphrase '' --quick-gen-key 'Cairn bench <bench@example.invalid>' ed25519 sign never
  gpg -q --batch --detach-sign -o image.bin.bz2.sig image.bin.bz2
  gpg -q --export > keys.gpg
  sha256sum image.bin | cut -d' ' -f1 > image.sha256
  rm -f image.bin
fi

[ "${BUILD_ONLY:-0}" = 1 ] && exit 0
truncate -s "$((size + 64))M" target.img
want="$(cat image.sha256)"
cairn="$root/cairn"
"$cairn" --version >/dev/null

drop() {
  sync
  if [ "${DROP_CACHES:-0}" = 1 ]; then echo 3 > /proc/sys/vm/drop_caches; fi
}

run() { # name command...
  drop
  local t0 t1
  t0=$(date +%s.%N)
  "${@:2}" >/dev/null 2>"$work/$1.err" || { echo "$1 failed:" >&2; cat "$work/$1.err" >&2; exit 1; }
  sync
  t1=$(date +%s.%N)
  echo "$1 $(awk "BEGIN { print $t1 - $t0 }")" >> times.txt
}

mid() { # the image's body: everything but its first and last MiB, which cairn rewrites (the table)
  dd if=target.img bs=1M skip=1 count="$((size - 2))" status=none | sha256sum | cut -d' ' -f1
}

check() { # what each wrote: the whole image for the pipelines, the same body for cairn
  if [ "$1" = cairn ]; then
    [ "$(mid)" = "$body" ] || { echo "cairn wrote the wrong bytes" >&2; exit 1; }
  else
    [ "$(head -c "$((size << 20))" target.img | sha256sum | cut -d' ' -f1)" = "$want" ] \
      || { echo "$1 wrote the wrong bytes" >&2; exit 1; }
    body="$(mid)"
  fi
}

: > times.txt
for i in $(seq "$runs"); do
  run bzcat bash -c "bzcat image.bin.bz2 | dd of=target.img bs=1M conv=notrunc,nocreat status=none"; check bzcat
  run lbzip2 bash -c "lbzip2 -dc image.bin.bz2 | dd of=target.img bs=1M conv=notrunc,nocreat status=none"; check lbzip2
  run cairn "$cairn" install -f image.bin.bz2 -d target.img -k keys.gpg --yes
done

python3 - "$runs" "$(nproc)" <<'PY'
import statistics, sys
runs, cores = sys.argv[1], sys.argv[2]
t = {}
for line in open("times.txt"):
    name, secs = line.split()
    t.setdefault(name, []).append(float(secs))
med = {k: statistics.median(v) for k, v in t.items()}
print(f"{runs} runs each, {cores} cores, median seconds (all runs)")
print(f"{'tool':<8} {'median':>8}  {'runs':<28} {'vs cairn':>9}")
for k in ("bzcat", "lbzip2", "cairn"):
    runs_s = " ".join(f"{x:.2f}" for x in t[k])
    print(f"{k:<8} {med[k]:>8.2f}  {runs_s:<28} {med[k] / med['cairn']:>8.2f}x")
print(f"cairn / lbzip2 time: {med['cairn'] / med['lbzip2']:.2f} (goal <= 1.10)")
print(f"bzcat / cairn time:  {med['bzcat'] / med['cairn']:.2f} (goal >= 1.90)")
PY
