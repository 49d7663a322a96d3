#!/usr/bin/env bash
# Installs every Debian 12 package Lumen needs to build, test, benchmark, package and run its demo.
# Idempotent: packages already present are skipped, and apt is only touched when something is missing.
# Works as root or through sudo; never asks a question.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git file dpkg-dev clang-format
  # LLVM's linker: links each test suite in under a second, where GNU ld takes about ten
  lld
  # GUI toolkit and plotting
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qt6-qpa-plugins libqt6svg6 libgl-dev
  # rendering, imaging (DICOM folders are scanned with GDCM's own API), learning, data
  libvtk9-dev libinsighttoolkit5-dev libgdcm-dev libtorch-dev libopenblas0-openmp
  libhdf5-dev zlib1g-dev libyaml-cpp-dev nlohmann-json3-dev
  # event-camera formats (AEDAT4's flatbuffers are parsed by hand)
  liblz4-dev libzstd-dev
  # the MONAI Label-compatible service (segment serve)
  libcpp-httplib-dev
  # data-parallel training: the Gloo headers beside LibTorch's c10d (ProcessGroupGloo is in libtorch_cpu)
  libgloo-dev
  # the PyTorch side of the training-speed bench (bench/train_speed)
  python3-torch
  # tests, benchmarks, coverage-guided fuzzing (make fuzz), headless display
  libbenchmark-dev clang libclang-rt-14-dev xvfb xauth libgl1-mesa-dri mesa-utils fonts-dejavu-core
  # the Python stack the event benchmark compares against (bench/events_end_to_end.sh)
  python3-h5py python3-numpy
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps-debian: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "deps-debian: missing packages (${missing[*]}) and not root, with no sudo available" >&2
    exit 1
  fi
fi

echo "deps-debian: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package lists are refreshed when they are absent or older than a day, so a fresh machine works.
lists_age=$(( $(date +%s) - $(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo 0) ))
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ] || [ "$lists_age" -gt 86400 ]; then
  $SUDO apt-get update -q
fi
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  # A stale package list is the usual cause: refresh once and try again.
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "deps-debian: done"
