#!/usr/bin/env bash
# Load benchmark for `lifeline serve`: families booking through the real
# pages (six requests a booking), then staff accepting every request, over
# loopback HTTP, on SQLite and on PostgreSQL (127.0.0.1:5432, database
# test). The load generator is crates/web/examples/load.rs; it runs the
# service in-process on 2 worker threads and its clients on 1 thread.
#
#   bench/web_load.sh [users] [bookings-per-user] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-32}
per_user=${2:-60}
runs=${3:-3}
cargo build --release --quiet -p web --example load
for backend in sqlite postgres://postgres@127.0.0.1:5432/test; do
  for run in $(seq "$runs"); do
    echo "== $backend, run $run"
    target/release/examples/load "$backend" "$users" "$per_user"
  done
done
