#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs and starts what the
# tests need (PostgreSQL, Debian's Chromium and chromedriver) when missing,
# then runs every test of the workspace. README.md's test command, and what
# .ci/run calls after formatting and lints.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is not installed: install Rust stable with rustup first" >&2
  exit 1
fi

# Installing needs root (apt-get); a machine that already has the
# services needs nothing.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The media server's WebRTC stack (str0m) does DTLS with OpenSSL: its
# headers and pkg-config are needed to build.
if ! pkg-config --exists openssl 2>/dev/null; then
  log "installing libssl-dev and pkg-config"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev pkg-config >/dev/null
fi

# The web service's tests run against PostgreSQL as well as SQLite: they
# expect a server at 127.0.0.1:5432 that lets user postgres in without a
# password, with a database called test (each test makes its own schema).
ensure_postgres() {
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    if ! ls -d /etc/postgresql/*/main >/dev/null 2>&1; then
      log "installing PostgreSQL"
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    local version hba
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    if ! grep -q '^host all postgres 127.0.0.1/32 trust' "$hba"; then
      as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    fi
    log "starting PostgreSQL $version"
    as_root pg_ctlcluster "$version" main start || as_root service postgresql start
    for _ in $(seq 30); do
      pg_isready -h 127.0.0.1 -p 5432 -q && break
      sleep 1
    done
  fi
  if ! psql -h 127.0.0.1 -U postgres -d test -Atc 'SELECT 1' >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test'
  fi
}
ensure_postgres

# The browser test drives Debian's headless Chromium through chromedriver.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  log "installing chromium and chromium-driver"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# The redaction tests cross-check their output with poppler's pdftotext, an
# extractor written by other people than ours.
if ! command -v pdftotext >/dev/null 2>&1; then
  log "installing poppler-utils"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
fi

log "tests"
# cargo's last line is often a doc-test run with nothing in it; end with the
# total over every test binary so the closing line says what really ran.
results=$(mktemp)
trap 'rm -f "$results"' EXIT
cargo test --workspace --locked 2>&1 | tee "$results"
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "\ntests: %d passed, %d failed, %d skipped\n", p, f, i }' "$results"
