#!/usr/bin/env bash
# SPEC P4: Lumen's training step against PyTorch's on the same networks, shapes, optimiser and
# thread count. Lumen: lumen-bench's BM_TrainStep* (bench/BenchTrainSpeed.cpp); PyTorch:
# bench/python/train_step_torch.py on Debian's python3-torch (the same LibTorch 1.13 underneath).
# Prints steps/s for both (the best of 3 runs each) and the ratio Lumen / PyTorch (above 1:
# Lumen is faster).
#
#   bench/train_speed.sh [BUILD_DIR]      (default build; SECONDS_PER_MODEL=3)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bench="$build/bench/lumen-bench"
python=${PYTHON:-/usr/bin/python3}
seconds=${SECONDS_PER_MODEL:-3}
[ -x "$bench" ] || { echo "no $bench: build first (make build)" >&2; exit 1; }
"$python" -c "import torch" 2> /dev/null ||
  { echo "$python has no torch: install python3-torch (installer/deps-debian.sh)" >&2; exit 1; }

lumen_json=$(mktemp)
trap 'rm -f "$lumen_json"' EXIT
# Best of 3 repetitions on both sides: this shared VM's run-to-run spread is about 10 %.
"$bench" --benchmark_filter='BM_TrainStep' --benchmark_repetitions=3 --benchmark_format=json \
  2> /dev/null > "$lumen_json"

printf "%-16s %7s %14s %14s %8s\n" MODEL THREADS "LUMEN steps/s" "TORCH steps/s" RATIO
for threads in 1 2; do
  "$python" bench/python/train_step_torch.py --threads "$threads" --seconds "$seconds" |
    while read -r line; do
      "$python" - "$lumen_json" "$line" << 'EOF'
import json, sys
lumen = json.load(open(sys.argv[1]))["benchmarks"]
torch_row = json.loads(sys.argv[2])
name = {"events_unet3d": "BM_TrainStepEventsUNet3d", "shapes_vecset": "BM_TrainStepShapesVecSet"}
wanted = "%s/%d" % (name[torch_row["model"]], torch_row["threads"])
ours = max(b["steps/s"] for b in lumen
           if b["name"].startswith(wanted) and b.get("run_type") == "iteration")
print("%-16s %7d %14.3f %14.3f %8.2f" % (torch_row["model"], torch_row["threads"], ours,
                                          torch_row["steps_per_s"], ours / torch_row["steps_per_s"]))
EOF
    done
done
