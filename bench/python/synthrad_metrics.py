#!/usr/bin/env python3
"""SynthRAD's image metrics, computed the way the challenge's evaluation code computes them
(numpy + scikit-image), on the case tests/synthesis/TestSynthesisMetrics.cpp checks Lumen
against. Needs python3-skimage (not installed by installer/deps-debian.sh: only to re-derive the
test's figures).

    python3 bench/python/synthrad_metrics.py
    python3 bench/python/synthrad_metrics.py PREDICTION.nii.gz REFERENCE.nii.gz MASK.nii.gz

Without arguments, prints MAE, PSNR, SSIM, mask voxels and SSIM voxels for: the masked case at
SynthRAD 2023's range, the same at SynthRAD 2025's, and the case with every voxel in the mask.
With three gzipped NIfTI-1 files (int16, uint8 or float32, no scaling: what `synth pairs` and
`synth eval` read and write), scores them: the Python side of bench/synth_eval_speed.sh.
"""
import gzip
import sys

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def synthrad_scores(reference, prediction, mask, low=-1024.0, high=3000.0):
    mask = np.where(mask > 0, 1.0, 0.0)
    # MAE: no clipping, over the mask's voxels.
    mae = np.sum(np.abs(reference * mask - prediction * mask)) / mask.sum()
    # PSNR: clipped to the range, mask voxels only, peak = the range's width.
    r = np.clip(reference, low, high)[mask == 1]
    p = np.clip(prediction, low, high)[mask == 1]
    psnr = peak_signal_noise_ratio(r, p, data_range=high - low)
    # SSIM: clipped, low outside the mask, shifted to start at 0, 7^3 uniform window, the map
    # averaged over the mask after a 3-voxel crop.
    r = np.where(mask == 0, low, np.clip(reference, low, high)) - low
    p = np.where(mask == 0, low, np.clip(prediction, low, high)) - low
    _, ssim_map = structural_similarity(r, p, data_range=high - low, full=True)
    inner = (slice(3, -3),) * 3
    ssim = ssim_map[inner][mask[inner].astype(bool)].mean(dtype=np.float64)
    return mae, psnr, ssim, int(mask.sum()), int(mask[inner].sum())


def test_case():
    i, j, k = np.meshgrid(np.arange(20), np.arange(18), np.arange(16), indexing="ij")
    reference = (-1100 + (i * 73 + j * 151 + k * 283 + i * j * 7) % 4200).astype(np.float64)
    prediction = 0.7 * reference + 300 + ((i * 31 + j * 17 + k * 11) % 401) - 200
    mask = ((i - 10) ** 2 + (j - 9) ** 2 + 2 * (k - 8) ** 2 < 70).astype(np.float64)
    return reference, prediction, mask


def read_nifti_gz(path):
    """A gzipped single-file NIfTI-1 volume as a float64 array (x fastest, as stored)."""
    data = gzip.open(path).read()
    if len(data) < 352 or np.frombuffer(data[0:4], "<i4")[0] != 348:
        raise SystemExit("%s: not a little-endian NIfTI-1 file" % path)
    dims = np.frombuffer(data[40:56], "<i2")
    datatype = int(np.frombuffer(data[70:72], "<i2")[0])
    offset = int(np.frombuffer(data[108:112], "<f4")[0])
    dtype = {2: "<u1", 4: "<i2", 16: "<f4"}.get(datatype)
    if dtype is None or dims[0] != 3:
        raise SystemExit("%s: expected a 3D uint8, int16 or float32 volume" % path)
    shape = (int(dims[3]), int(dims[2]), int(dims[1]))
    count = shape[0] * shape[1] * shape[2]
    return np.frombuffer(data, dtype, count, offset).reshape(shape).astype(np.float64)


def main():
    if len(sys.argv) == 4:
        prediction, reference, mask = (read_nifti_gz(p) for p in sys.argv[1:])
        print("mae %.4f psnr %.4f ssim %.6f mask %d ssim_voxels %d"
              % synthrad_scores(reference, prediction, mask))
        return
    reference, prediction, mask = test_case()
    for m, high in ((mask, 3000.0), (mask, 3071.0), (np.ones_like(mask), 3000.0)):
        print("mae %.10f psnr %.10f ssim %.12f mask %d ssim_voxels %d"
              % synthrad_scores(reference, prediction, m, high=high))


if __name__ == "__main__":
    main()
