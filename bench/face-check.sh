#!/usr/bin/env bash
# The live face check on labelled clips (issue 13): how often a known
# caller's video pauses the call (false pauses per call hour) and how soon
# an unknown face does (seconds to pause).
#
# Clips are made with Debian's ffmpeg from ../shared/testdata/faces: a 4:3
# camera window around the face (found by the face engine), moving as a
# hand-held phone does (slow zoom and sway), with sensor noise, encoded as
# a browser would send it (VP8, realtime, a keyframe every 3 s, which is
# what the server's keyframe request gets). Person A is enrolled from
# obama.jpg; obama2, obama3 and obama_partial_face are person A, biden is
# person B. Each clip runs through crates/server/examples/face_check.rs:
# the server's decoder, face engine and verdict, a check every 3 s, a pause
# after 2 unapproved checks in a row.
#
#   bench/face-check.sh [seconds per clip (60)] [bitrates (300k 800k)]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
rates=${*:-300k 800k}
faces=../shared/testdata/faces
command -v ffmpeg >/dev/null || { echo "ffmpeg is needed: apt-get install ffmpeg" >&2; exit 1; }
cargo build --quiet -p server --example face_check
bin=target/debug/examples/face_check
clips=$(mktemp -d)
trap 'rm -rf "$clips"' EXIT
frames=$((seconds * 30))
for photo in obama2 obama3 obama_partial_face biden; do
  crop=$($bin crop "$faces/$photo.jpg")
  phase=0
  for rate in $rates; do
    phase=$((phase + 1))
    # Zoom 1.05-1.25x and sway by a tenth of the picture, at speeds that
    # differ per clip so that no two clips repeat each other's frames.
    ffmpeg -loglevel error -y -loop 1 -i "$faces/$photo.jpg" \
      -vf "$crop,scale=960:720,zoompan=z='1.15+0.1*sin(on/(40+10*$phase))':x='(iw-iw/zoom)/2+0.06*iw*sin(on/(55+7*$phase))':y='(ih-ih/zoom)/2+0.05*ih*sin(on/(70+9*$phase))':d=1:s=640x480:fps=30,noise=alls=8:allf=t,format=yuv420p" \
      -frames:v "$frames" -c:v libvpx -b:v "$rate" -g 90 -keyint_min 90 -deadline realtime -cpu-used 8 \
      -f ivf "$clips/$photo-$rate.ivf"
  done
done
$bin run --enrol "$faces/obama.jpg" --every 3 --strikes 2 "$clips"/*.ivf | tee "$clips/out.txt"
echo
awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
  v["clip"] ~ /^biden/ { u++; if (v["first_pause_s"] != "none") { sum += v["first_pause_s"]; paused++ } next }
  { ks += v["seconds"]; kp += v["pauses"]; kc += v["checks"]; kn += v["no_face"] }
  END {
    printf "known caller: %d pauses in %.1f min of video (%d checks, %d with no face found): %.1f false pauses per call hour\n", kp, ks / 60, kc, kn, kp / (ks / 3600)
    printf "unknown face: %d of %d clips paused, mean %.1f s of video to the pause (plus the check time above)\n", paused, u, paused ? sum / paused : 0
  }' "$clips/out.txt"
