#!/usr/bin/env bash
# Regenerates the gpg-made test keys in this folder. Run from this folder; needs gpg 2.2+.
# Every key is unprotected and exists only for tests.
set -euo pipefail
export GNUPGHOME="$(mktemp -d)"
trap 'gpgconf --kill all; rm -rf "$GNUPGHOME"' EXIT
gen() { gpg --batch --passphrase '' --quick-gen-key "$@"; }
export_pair() { # uid-email name
  gpg --batch --armor --export "$1" > "$2.pub.asc"
  gpg --batch --armor --export-secret-keys "$1" > "$2.sec.asc"
}
gen "Test RSA-2048 <rsa2048@example.com>" rsa2048 sign never
export_pair rsa2048@example.com rsa2048
gen "Test RSA-4096 <rsa4096@example.com>" rsa4096 sign never
export_pair rsa4096@example.com rsa4096
gen "Test Ed25519 <ed25519@example.com>" ed25519 sign never
export_pair ed25519@example.com ed25519
# A certify-only primary with a signing subkey, as release keys are usually made.
gen "Test Subkey <subkey@example.com>" ed25519 cert never
fpr=$(gpg --batch --with-colons --list-keys subkey@example.com | awk -F: '/^fpr/ {print $10; exit}')
gpg --batch --passphrase '' --quick-add-key "$fpr" ed25519 sign never
export_pair subkey@example.com subkey
# Made in 2020 with a one-year expiry: expired since 2021.
gpg --batch --passphrase '' --faked-system-time 20200101T000000 \
  --quick-gen-key "Test Expired <expired@example.com>" ed25519 sign 1y
export_pair expired@example.com expired
# Revoked with the revocation certificate gpg wrote when it made the key. The secret key is
# exported before the revocation, so a test can still sign with it.
gen "Test Revoked <revoked@example.com>" ed25519 sign never
fpr=$(gpg --batch --with-colons --list-keys revoked@example.com | awk -F: '/^fpr/ {print $10; exit}')
gpg --batch --armor --export-secret-keys revoked@example.com > revoked.sec.asc
sed 's/^:-----BEGIN/-----BEGIN/' "$GNUPGHOME/openpgp-revocs.d/$fpr.rev" | gpg --batch --import
gpg --batch --armor --export revoked@example.com > revoked.pub.asc
