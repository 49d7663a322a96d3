#!/usr/bin/env bash
# The event commands as a user runs them, end to end (process start, reading, work, writing), in
# one run: `events encode` on 10 M events at 640 x 480 beside h5py + numpy doing event_utils'
# voxel grid on the same file; lumen-cli's start-up; and `events infer` on a DAVIS346-sized
# recording (346 x 260, 319,512 events over 0.51 s) as a real-time factor, with the default
# per-event network trained here first and scored against BAF and STCF on held-out pairs.
#
#   bench/events_end_to_end.sh [BUILD_DIR]      (default build; WORK=/dev/shm/lumen-bench)
#
# The baseline needs python3-h5py and python3-numpy (installer/deps-debian.sh installs them).
# Set CHECKPOINT=runs/x/checkpoints/best.pt to skip the training.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cli="$build/app/lumen-cli"
work=${WORK:-/dev/shm/lumen-bench}
python=${PYTHON:-/usr/bin/python3}
baseline=bench/python/event_voxels_baseline.py
mkdir -p "$work"
[ -x "$cli" ] || { echo "no $cli: build first (make build)" >&2; exit 1; }

# Wall-clock seconds of the fastest of three runs of a command.
best_of_3() {
  local best=""
  for _ in 1 2 3; do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null || return 1
    end=$(date +%s.%N)
    best=$(echo "$start $end $best" | awk '{d = $2 - $1; if ($3 == "" || d < $3) print d; else print $3}')
  done
  echo "$best"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

echo "== events encode: 10 M events, 640 x 480, 1 s, 50 windows of 20 ms, 8 bins ($work)"
# Made under a temporary name, so an interrupted run leaves no half-written input behind.
make_events() {
  local out=$1
  shift
  [ -f "$out" ] && return 0
  "$python" "$baseline" make "$out.part" "$@" && mv "$out.part" "$out"
}
make_events "$work/ev10m.h5" --events 10000000 --width 640 --height 480 --duration-us 1000000
py=$(best_of_3 "$python" "$baseline" encode "$work/ev10m.h5" "$work/py_voxels.h5" --bins 8 --window-us 20000)
lumen=$(best_of_3 "$cli" --quiet events encode "$work/ev10m.h5" "$work/lumen_voxels.h5" --bins 8 --window-us 20000)
gzip=$(best_of_3 "$cli" --quiet events encode "$work/ev10m.h5" "$work/lumen_voxels_gz.h5" --bins 8 --window-us 20000 --compress gzip)
"$python" - "$work/py_voxels.h5" "$work/lumen_voxels.h5" <<'PY'
import sys, h5py, numpy as np
a = h5py.File(sys.argv[1], "r")["voxels"]
b = h5py.File(sys.argv[2], "r")["voxels"]
assert a.shape == b.shape, (a.shape, b.shape)
print(f"same voxels: shape {a.shape}, max |difference| {max(float(np.abs(a[k] - b[k]).max()) for k in range(a.shape[0])):.2g}")
PY
echo "h5py + numpy (event_utils' algorithm): $py s"
echo "lumen-cli events encode:               $lumen s  ($(ratio "$py" "$lumen")x faster)"
echo "lumen-cli events encode --compress gzip: $gzip s"

echo "== start-up"
help=$(best_of_3 "$cli" --help)
echo "lumen-cli --help: $help s"

echo "== events infer: 346 x 260, 319,512 events over 0.51 s"
make_events "$work/davis346.h5" --events 319512 --width 346 --height 260 --duration-us 510000 \
  --seed 3
checkpoint=${CHECKPOINT:-}
if [ -z "$checkpoint" ]; then
  "$cli" --quiet events synth "$work/train" --files 12 --seed 1
  "$cli" --quiet events synth "$work/held-out" --files 3 --seed 99
  start=$(date +%s)
  "$cli" --quiet events train --run-dir "$work/run" --accept-config-change \
    --set data.noisy_dir="$work/train/background_with_flare_events" \
    --set data.clean_dir="$work/train/background_with_light_events" > /dev/null
  echo "trained the default model (configs/events/train.yaml) in $(( $(date +%s) - start )) s"
  checkpoint="$work/run/checkpoints/best.pt"
  "$cli" --quiet events test "$work/held-out" "$work/test" --checkpoint "$checkpoint"
fi
infer=$(best_of_3 "$cli" --quiet events infer "$work/davis346.h5" "$work/davis346_denoised.h5" --checkpoint "$checkpoint")
echo "lumen-cli events infer: $infer s for 0.51 s of events = $(ratio "$infer" 0.51)x real time"
"$cli" events compare "$work/davis346.h5" "$work/davis346_denoised.h5"

# A real recording as imported: Lumen's own compressed event file (65,536-event deflate chunks).
dvx=../shared/data/events/dvxplorer_sample.aedat4
if [ -f "$dvx" ]; then
  echo "== the real DVXplorer sample: import, infer, compare"
  "$cli" --quiet events import "$dvx" "$work/dvx.h5"
  span=$("$cli" events stats "$work/dvx.h5" --json | "$python" -c \
    'import json, sys; s = json.load(sys.stdin); print((s["t_last_us"] - s["t_first_us"]) / 1e6)')
  infer=$(best_of_3 "$cli" --quiet events infer "$work/dvx.h5" "$work/dvx_denoised.h5" --checkpoint "$checkpoint")
  echo "lumen-cli events infer: $infer s for $span s of events = $(ratio "$infer" "$span")x real time"
  encode=$(best_of_3 "$cli" --quiet events encode "$work/dvx.h5" "$work/dvx_voxels.h5" --bins 8 --window-us 20000)
  echo "lumen-cli events encode: $encode s"
  "$cli" events compare "$work/dvx.h5" "$work/dvx_denoised.h5"
fi
