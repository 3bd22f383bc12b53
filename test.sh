#!/usr/bin/env bash
# test.sh: install missing system packages (as root on Debian), then build and run every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# command -> Debian package that provides it
declare -A need=(
  [sgdisk]=gdisk [cgpt]=cgpt [gpg]=gnupg [qemu-system-x86_64]=qemu-system-x86
  [busybox]=busybox-static [cpio]=cpio [mkfs.ext4]=e2fsprogs [mvn]=maven
  [javac]=openjdk-17-jdk-headless [script]=bsdutils [grub-script-check]=grub-common
)
export PATH="$PATH:/usr/sbin:/sbin"
missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
[ -e /usr/lib/ipxe/qemu ] || missing+=(ipxe-qemu)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing packages: ${missing[*]} (run as root on Debian to install them)" >&2
    exit 1
  fi
fi

# The hostile-client tests hold 4,097 connections open at once: both ends are files of one process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mvn -B -ntp verify

# The launcher itself: builds when stale, starts, and maps exit codes.
./cairn --version
./cairn gpt --help >/dev/null
set +e
./cairn gpt show --no-such-flag >/dev/null 2>&1
code=$?
set -e
[ "$code" -eq 2 ] || { echo "test.sh: bad usage should exit 2, got $code" >&2; exit 1; }
echo "test.sh: all tests passed"
