#!/usr/bin/env bash
# Listing and filtering a million incident reports, on SQLite and
# PostgreSQL: fills each with nine generated years (2017-2025, some
# 120,000 reports a year) and times pages of the staff list under each
# filter the page offers, first pages and pages deep through the cursor.
# Usage: bench/incidents-list.sh [PAGES] [sqlite|postgres|both]
# (figures in BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-200}
backends=${2:-both}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The example's own code is a loop around the library; its dependencies
# (SQLite, the PostgreSQL driver) are built optimised in every profile.
cargo build -q -p incidents --example list
bin=target/debug/examples/list

if [ "$backends" != postgres ]; then
  echo "== SQLite"
  "$bin" --database-url "sqlite://$dir/incidents.db?mode=rwc" --generate 2017:9 --pages "$pages"
fi
[ "$backends" = sqlite ] && exit 0

echo "== PostgreSQL"
psql -h 127.0.0.1 -U postgres -d postgres -qc 'DROP DATABASE IF EXISTS incidents_bench' -qc 'CREATE DATABASE incidents_bench'
"$bin" --database-url "postgres://postgres@127.0.0.1:5432/incidents_bench" --generate 2017:9 --pages "$pages"
psql -h 127.0.0.1 -U postgres -d postgres -qc 'DROP DATABASE incidents_bench'
