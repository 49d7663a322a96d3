#!/usr/bin/env bash
# `lumen-cli synth eval` end to end (process start, reading gzipped NIfTI, MAE, PSNR, 3D SSIM)
# against SynthRAD's recipe in Python (bench/python/synthrad_metrics.py: numpy + scikit-image,
# which needs python3-skimage) on one synthetic pair of the default size (256 x 256 x 120), the
# NCCT scored as the CTA. Prints both sides' scores (they must agree) and the best of 3 wall
# times.
#
#   bench/synth_eval_speed.sh [BUILD_DIR]      (THREADS=0: lumen-cli's default, one per core)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cli="$build/app/lumen-cli"
python=${PYTHON:-/usr/bin/python3}
[ -x "$cli" ] || { echo "no $cli: build first (make build)" >&2; exit 1; }
"$python" -c "import skimage" 2> /dev/null ||
  { echo "$python has no scikit-image: apt-get install python3-skimage" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$cli" --quiet synth pairs "$work" --cases 1 > /dev/null
pred="$work/nct/case_000.nii.gz" ref="$work/cta/case_000.nii.gz"
mask="$work/masks/body/case_000.nii.gz"

best() { # best wall time of 3 runs of "$@", in seconds
  local best=1e9 t
  for _ in 1 2 3; do
    t=$( { /usr/bin/time -f %e "$@" > /dev/null; } 2>&1 | tail -1)
    best=$("$python" -c "print(min($best, $t))")
  done
  echo "$best"
}
"$cli" --quiet synth eval --prediction "$pred" --reference "$ref" --mask "$mask" \
  --threads "${THREADS:-0}" --json | "$python" -c '
import json, sys
p = json.load(sys.stdin)["prediction"]
print("lumen  mae %.4f psnr %.4f ssim %.6f" % (p["mae_hu"], p["psnr_db"], p["ssim"]))'
"$python" bench/python/synthrad_metrics.py "$pred" "$ref" "$mask" | sed 's/^/python /'
lumen=$(best "$cli" --quiet synth eval --prediction "$pred" --reference "$ref" --mask "$mask" \
  --threads "${THREADS:-0}")
python_s=$(best "$python" bench/python/synthrad_metrics.py "$pred" "$ref" "$mask")
"$python" -c "print('wall s: lumen-cli %.2f, numpy + scikit-image %.2f: %.1fx' % ($lumen, $python_s, $python_s / $lumen))"
