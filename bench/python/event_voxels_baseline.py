#!/usr/bin/env python3
"""The Python stack `lumen-cli events encode` replaces, timed end to end on the same file.

event_utils (TimoStoff/event_utils) builds a voxel grid in numpy the way this script does: for
each of the B bins, the bilinear weight max(0, 1 - |tn - b|) of every event, scattered into an
image with np.add.at; windows are read from HDF5 with h5py and the grids written with h5py.
This is a re-implementation of that algorithm for timing, not event_utils' code.

  python3 event_voxels_baseline.py make EVENTS.h5 --events 10000000 --width 640 --height 480
  python3 event_voxels_baseline.py encode EVENTS.h5 VOXELS.h5 --bins 8 --window-us 20000
"""
import argparse
import time

import h5py
import numpy as np


def make(path, events, width, height, duration_us, seed):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.integers(0, duration_us, events, dtype=np.int64))
    # Moving edges plus background activity: camera-like clustering, not uniform noise only.
    phase = (t / duration_us * width).astype(np.int64)
    edge = rng.random(events) < 0.7
    x = np.where(edge, (phase + rng.integers(0, 40, events)) % width,
                 rng.integers(0, width, events)).astype(np.uint16)
    y = rng.integers(0, height, events).astype(np.uint16)
    p = rng.integers(0, 2, events).astype(np.int8) * 2 - 1
    with h5py.File(path, "w") as f:
        g = f.create_group("events")
        for name, data in (("t", t), ("x", x), ("y", y), ("p", p)):
            g.create_dataset(name, data=data, chunks=(min(1 << 20, events),))
        f.attrs["sensor_resolution"] = np.array([height, width], dtype=np.int64)


def voxel_grid(xs, ys, ts, ps, bins, t_start, t_end, height, width):
    grid = np.zeros((bins, height, width), dtype=np.float32)
    span = max(t_end - t_start, 1)
    tn = (ts - t_start).astype(np.float64) * (bins - 1) / span
    flat = ys.astype(np.int64) * width + xs
    for b in range(bins):
        weights = np.maximum(0.0, 1.0 - np.abs(tn - b)).astype(np.float32)
        np.add.at(grid[b].reshape(-1), flat, ps * weights)
    return grid


def encode(src, dst, bins, window_us):
    started = time.perf_counter()
    with h5py.File(src, "r") as f:
        ts = f["events/t"][:]
        xs = f["events/x"][:]
        ys = f["events/y"][:]
        ps = f["events/p"][:].astype(np.float32)
        height, width = (int(v) for v in f.attrs["sensor_resolution"][:2])
    read = time.perf_counter()
    t0, last = int(ts[0]), int(ts[-1])
    windows = (last - t0) // window_us + 1
    bounds = np.searchsorted(ts, t0 + window_us * np.arange(windows + 1))
    with h5py.File(dst, "w") as out:
        voxels = out.create_dataset("voxels", (windows, bins, height, width), dtype=np.float32,
                                    chunks=(1, bins, height, width))
        for k in range(windows):
            a, b = bounds[k], bounds[k + 1]
            ws = t0 + k * window_us
            voxels[k] = voxel_grid(xs[a:b], ys[a:b], ts[a:b], ps[a:b], bins, ws, ws + window_us,
                                   height, width)
    done = time.perf_counter()
    print(f"{len(ts)} events, {windows} windows: read {read - started:.2f} s, "
          f"voxels + write {done - read:.2f} s, total {done - started:.2f} s")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("path")
    m.add_argument("--events", type=int, default=10_000_000)
    m.add_argument("--width", type=int, default=640)
    m.add_argument("--height", type=int, default=480)
    m.add_argument("--duration-us", type=int, default=1_000_000)
    m.add_argument("--seed", type=int, default=0)
    e = sub.add_parser("encode")
    e.add_argument("src")
    e.add_argument("dst")
    e.add_argument("--bins", type=int, default=8)
    e.add_argument("--window-us", type=int, default=20000)
    args = parser.parse_args()
    if args.command == "make":
        make(args.path, args.events, args.width, args.height, args.duration_us, args.seed)
    else:
        encode(args.src, args.dst, args.bins, args.window_us)


if __name__ == "__main__":
    main()
