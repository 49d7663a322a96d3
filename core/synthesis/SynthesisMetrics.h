// How close a synthetic CTA is to the real one, computed as the SynthRAD challenges' evaluation
// code computes it (SPEC Y5), so Lumen's figures can be put beside published ones:
// - MAE: mean |prediction - reference| in HU over the body mask's voxels, no clipping;
// - PSNR: both clipped to [lowHu, highHu], over the mask's voxels, peak = highHu - lowHu;
// - SSIM: both clipped, set to lowHu outside the mask and shifted by -lowHu, compared in 3D with
//   a uniform 7 x 7 x 7 window (reflected at the borders), K1 0.01, K2 0.03 and the sample
//   covariance, the map averaged over the mask's voxels at least 3 voxels from every border;
// - vessel MAE: the MAE over the vessel region's voxels inside the mask.
// SynthRAD 2023 clips to [-1024, 3000] (PSNR range 4024); SynthRAD 2025 to [-1024, 3071].
#pragma once
#include "io/Volume.h"

#include <cstdint>

namespace lumen {

class Job;

struct SynthesisMetricOptions {
  double lowHu = -1024;
  double highHu = 3000;
  int ssimWindow = 7; // odd, at most every axis's size
  int ssimBorder = 3; // voxels next to the borders left out of SSIM's mean
  int threads = 0;    // 0: one per core
};

// lowHu < highHu (both finite), ssimWindow odd in 3-31, ssimBorder 0-64; InputError otherwise.
void checkSynthesisMetricOptions(const SynthesisMetricOptions& options);

struct SynthesisScores {
  double maeHu = 0;
  double psnrDb = 0; // +infinity when the clipped volumes agree on every mask voxel
  double ssim = 0;
  double vesselMaeHu = 0; // NaN without a vessel region or when it has no voxel in the mask
  int64_t maskVoxels = 0, vesselVoxels = 0, ssimVoxels = 0;
};

// The volumes share one grid (InputError naming what differs otherwise); a voxel is in the mask
// or the vessel region where its value is non-zero. Throws InputError when the mask is empty or
// has no voxel far enough from the borders for SSIM. `job` is checked for cancellation.
SynthesisScores scoreSynthesis(const FloatVolume& prediction, const FloatVolume& reference,
                               const Volume<uint8_t>& mask, const Volume<uint8_t>* vessels,
                               const SynthesisMetricOptions& options = {}, Job* job = nullptr);

// The SSIM term alone, as above (clipped, masked, shifted, border-cropped mean over the mask).
double maskedSsim3d(const FloatVolume& prediction, const FloatVolume& reference,
                    const Volume<uint8_t>& mask, const SynthesisMetricOptions& options = {},
                    int64_t* voxels = nullptr, Job* job = nullptr);

} // namespace lumen
