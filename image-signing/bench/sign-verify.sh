#!/usr/bin/env bash
# Signs and verifies a 1 GiB file with cairn and with gpg, side by side, and prints the ratios.
# Both use an Ed25519 key and SHA-256. Usage: image-signing/bench/sign-verify.sh [RUNS] [SIZE_MIB]
# Needs gpg and hyperfine (apt-get install gnupg hyperfine).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-5}"
mib="${2:-1024}"
for t in gpg hyperfine; do
  command -v "$t" >/dev/null || { echo "sign-verify.sh: needs $t" >&2; exit 1; }
done
tmp="$(mktemp -d)"
export GNUPGHOME="$tmp/gnupg"
mkdir -m 700 "$GNUPGHOME"
trap 'gpgconf --kill all 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$root"
./cairn --version >/dev/null   # build and warm the class-data archive outside the timings
head -c "$((mib << 20))" /dev/urandom > "$tmp/image.bin"
./cairn key generate --uid "Bench <bench@example.com>" --no-passphrase \
  --secret-out "$tmp/cairn.sec.asc" --public-out "$tmp/cairn.pub.asc" >/dev/null
gpg --batch -q --passphrase '' --quick-gen-key "Bench GPG <gpg@example.com>" ed25519 sign never
gpg --batch -q --import "$tmp/cairn.pub.asc"
./cairn sign --key "$tmp/cairn.sec.asc" --output "$tmp/cairn.sig" "$tmp/image.bin" >/dev/null
gpg --batch -q --yes -u gpg@example.com --digest-algo SHA256 --detach-sign -o "$tmp/gpg.sig" "$tmp/image.bin"
cat "$tmp/image.bin" > /dev/null   # page cache warm for everyone
hyperfine -N --warmup 1 --runs "$runs" --export-markdown "$tmp/verify.md" \
  -n "gpg --verify" "gpg --batch --verify $tmp/gpg.sig $tmp/image.bin" \
  -n "cairn verify" "./cairn verify --keyring $tmp/cairn.pub.asc $tmp/image.bin $tmp/cairn.sig"
hyperfine -N --warmup 1 --runs "$runs" --export-markdown "$tmp/sign.md" \
  -n "gpg --detach-sign" "gpg --batch --yes -u gpg@example.com --digest-algo SHA256 --detach-sign -o $tmp/gpg2.sig $tmp/image.bin" \
  -n "cairn sign" "./cairn sign --key $tmp/cairn.sec.asc --output $tmp/cairn2.sig $tmp/image.bin"
echo
cat "$tmp/verify.md" "$tmp/sign.md"
