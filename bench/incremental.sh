#!/usr/bin/env bash
# Incremental build after touching one system's file, before and after the
# platform split (issue 11): the last commit with the single `web` crate
# (347b58f) is checked out as a worktree sharing this target directory, so
# dependencies are built once and only our crates differ.
#   bench/incremental.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
old=${OLD_TREE:-/tmp/lifeline-before-split}
target=$(pwd)/target
[ -d "$old" ] || git worktree add -q "$old" 347b58f
time_it() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
warm() { (cd "$1" && CARGO_TARGET_DIR=$target cargo build -p lifeline -q && CARGO_TARGET_DIR=$target cargo test -p "$2" --no-run -q) >/dev/null 2>&1; }
warm "$old" web
warm . visits
cargo test -p server --no-run -q >/dev/null 2>&1
for i in $(seq "$runs"); do
  touch "$old/crates/web/src/visits.rs"
  echo "before: lifeline binary        $(time_it env -C "$old" CARGO_TARGET_DIR="$target" cargo build -p lifeline -q)"
  touch crates/visits/src/model.rs
  echo "after:  lifeline binary        $(time_it cargo build -p lifeline -q)"
  touch "$old/crates/web/src/visits.rs"
  echo "before: cargo test -p web      $(time_it env -C "$old" CARGO_TARGET_DIR="$target" cargo test -p web --no-run -q)"
  touch crates/visits/src/model.rs
  echo "after:  cargo test -p visits   $(time_it cargo test -p visits --no-run -q)"
  touch crates/visits/src/model.rs
  echo "after:  cargo test -p server   $(time_it cargo test -p server --no-run -q)"
done
