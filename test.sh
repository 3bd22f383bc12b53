#!/usr/bin/env bash
# test.sh: install missing system packages (as root on Debian), then build and run every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# command -> Debian package that provides it
declare -A need=(
  [sgdisk]=gdisk [cgpt]=cgpt [gpg]=gnupg [qemu-system-x86_64]=qemu-system-x86
  [busybox]=busybox-static [cpio]=cpio [mkfs.ext4]=e2fsprogs [mvn]=maven
  [javac]=openjdk-17-jdk-headless [script]=bsdutils [xz]=xz-utils [grub-script-check]=grub-common
  [mformat]=mtools [bzip2]=bzip2 [lbzip2]=lbzip2 [zstd]=zstd [debugfs]=e2fsprogs [losetup]=mount [blockdev]=util-linux
  [etcd]=etcd-server [etcdctl]=etcd-client [openssl]=openssl
)
export PATH="$PATH:/usr/sbin:/sbin"
missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
[ -e /usr/lib/ipxe/qemu ] || missing+=(ipxe-qemu)
[ -e /usr/share/OVMF/OVMF_CODE_4M.fd ] || missing+=(ovmf)
[ -e /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
[ -e /usr/lib/grub/i386-pc/boot.img ] || missing+=(grub-pc-bin)
[ -e /usr/lib/grub/x86_64-efi/linux.mod ] || missing+=(grub-efi-amd64-bin)
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

# The VM tests boot Debian's packaged kernel (linux-image-amd64), unpacked into a cache that
# outlives `mvn clean`; it is downloaded once, never installed on this machine.
kernel_cache="${CAIRN_VM_KERNEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cairn/test-vms/kernel}"
kernel_package() {
  apt-cache depends linux-image-amd64 2>/dev/null \
    | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1
}
if [ ! -e "$kernel_cache/vmlinuz" ]; then
  kpkg="$(kernel_package)"
  kdeb="$(mktemp -d)"
  mkdir -p "$(dirname "$kernel_cache")"
  kunpack="$(mktemp -d "$(dirname "$kernel_cache")/.kernel.XXXXXX")"
  trap 'rm -rf "$kdeb" "$kunpack"' EXIT
  # apt downloads as its _apt user; let it write here.
  if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$kdeb"; fi
  if [ -z "$kpkg" ] || ! (cd "$kdeb" && apt-get download -qq "$kpkg" 2>/dev/null); then
    # No package lists, or lists older than the mirror: refresh them (root only) and try again.
    if [ "$(id -u)" -ne 0 ]; then
      echo "test.sh: cannot download linux-image-amd64 (run apt-get update as root)" >&2
      exit 1
    fi
    apt-get update -qq
    kpkg="$(kernel_package)"
    [ -n "$kpkg" ] || { echo "test.sh: linux-image-amd64 names no kernel package" >&2; exit 1; }
    (cd "$kdeb" && apt-get download -qq "$kpkg")
  fi
  echo "test.sh: unpacking $kpkg into $kernel_cache"
  # Unpacked next to the cache, so the last step is one rename: an interrupted run leaves no
  # half-filled cache behind.
  dpkg -x "$kdeb"/*.deb "$kunpack/root"
  mkdir "$kunpack/kernel"
  mv "$kunpack"/root/boot/vmlinuz-* "$kunpack/kernel/vmlinuz"
  for d in "$kunpack"/root/lib/modules/* "$kunpack"/root/usr/lib/modules/*; do
    if [ -d "$d" ]; then mv "$d" "$kunpack/kernel/modules"; fi
  done
  basename "$kdeb"/*.deb .deb > "$kunpack/kernel/package"
  rm -rf "$kernel_cache"
  mv "$kunpack/kernel" "$kernel_cache"
  rm -rf "$kdeb" "$kunpack"
  trap - EXIT
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
