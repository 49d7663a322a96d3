#!/usr/bin/env bash
# SPEC P4: Lumen's training step against PyTorch's on the same networks, shapes, optimiser and
# thread count. Lumen: lumen-bench's BM_TrainStep* (bench/BenchTrainSpeed.cpp); PyTorch:
# bench/python/train_step_torch.py on Debian's python3-torch (the same LibTorch 1.13 underneath).
# Prints steps/s for both (the best of ROUNDS runs each, the two sides taking turns) and the
# ratio Lumen / PyTorch (above 1: Lumen is faster), with the ratio of every round.
#
#   bench/train_speed.sh [BUILD_DIR]      (default build; SECONDS_PER_MODEL=3, ROUNDS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bench="$build/bench/lumen-bench"
python=${PYTHON:-/usr/bin/python3}
seconds=${SECONDS_PER_MODEL:-3}
rounds=${ROUNDS:-3}
[ -x "$bench" ] || { echo "no $bench: build first (make build)" >&2; exit 1; }
"$python" -c "import torch" 2> /dev/null ||
  { echo "$python has no torch: install python3-torch (installer/deps-debian.sh)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One run of every model on each side per round: this shared VM's speed drifts by tens of
# percent within minutes, which tilts the ratio when one side runs all its repetitions first.
for round in $(seq "$rounds"); do
  "$bench" --benchmark_filter='BM_TrainStep' --benchmark_min_time="$seconds" \
    --benchmark_format=json 2> /dev/null > "$work/lumen-$round.json"
  for threads in 1 2; do
    "$python" bench/python/train_step_torch.py --threads "$threads" --seconds "$seconds" \
      --repeats 1 >> "$work/torch-$round.jsonl"
  done
done

"$python" - "$work" "$rounds" << 'EOF'
import json, sys
work, rounds = sys.argv[1], int(sys.argv[2])
name = {"events_unet3d": "BM_TrainStepEventsUNet3d", "shapes_vecset": "BM_TrainStepShapesVecSet"}
lumen, torch = {}, {}
for r in range(1, rounds + 1):
    for b in json.load(open("%s/lumen-%d.json" % (work, r)))["benchmarks"]:
        lumen.setdefault(b["name"].split("/min_time")[0], []).append(b["steps/s"])
    for line in open("%s/torch-%d.jsonl" % (work, r)):
        row = json.loads(line)
        torch.setdefault((row["model"], row["threads"]), []).append(row["steps_per_s"])
print("%-16s %7s %14s %14s %8s   %s" % ("MODEL", "THREADS", "LUMEN steps/s", "TORCH steps/s",
                                        "RATIO", "ratio per round"))
for threads in (1, 2):
    for model in ("events_unet3d", "shapes_vecset"):
        ours, theirs = lumen["%s/%d" % (name[model], threads)], torch[(model, threads)]
        per_round = " ".join("%.2f" % (a / b) for a, b in zip(ours, theirs))
        print("%-16s %7d %14.3f %14.3f %8.2f   %s" % (model, threads, max(ours), max(theirs),
                                                    max(ours) / max(theirs), per_round))
EOF
