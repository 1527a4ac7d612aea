#!/usr/bin/env bash
# The face engine's calibration and speed, in release builds:
#  1. distances between the faces of the labelled test photos
#     (shared/testdata/faces) and of augmented variants of them, the false
#     accept and false reject rates at face::MATCH_THRESHOLD and the range of
#     thresholds that separates the two sets (crates/face/examples/calibrate.rs;
#     --crops also compares the landmark network's input margins);
#  2. with --time, the criterion benchmark: time per photo (decode, detect,
#     landmarks, align, describe) on obama.jpg, and its parts.
#
#   bench/face.sh [--crops] [--time]
set -euo pipefail
cd "$(dirname "$0")/.."
crops=()
time=false
for arg in "$@"; do
  case "$arg" in
    --crops) crops=(--crops) ;;
    --time) time=true ;;
    *) echo "usage: bench/face.sh [--crops] [--time]" >&2; exit 2 ;;
  esac
done
cargo run --release --quiet -p face --example calibrate -- "${crops[@]}"
if $time; then
  cargo bench -p face --bench face
fi
printf '\n%d cores\n' "$(nproc)"
