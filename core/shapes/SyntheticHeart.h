// A parametric 10-class heart phantom for demos and tests: LV and RV cavities as
// deformed half-ellipsoids, a myocardial shell around the LV, atria above them, an aorta leaving
// the LV with root bulb, arch and descending part, a pulmonary trunk leaving the RV and
// bifurcating, a left atrial appendage lobe on the LA, four pulmonary veins entering the LA, and
// left main / LAD / LCx / RCA coronary tubes on the epicardium starting at the aortic root.
// Every case varies size, per-axis proportions, pose and low-frequency surface bumps.
#pragma once
#include "io/Volume.h"

#include <string>

namespace lumen {

class Job;

struct SyntheticHeartOptions {
  Vec3 spacing{1.25, 1.25, 1.25}; // mm per voxel along i, j, k (anisotropic allowed)
  double sizeVariation = 0.12;    // ± relative overall size
  double shapeVariation = 0.08;   // ± per-axis proportions and surface bumps
  double poseVariationDeg = 12.0; // ± rotation about each axis
  double marginMm = 8.0;          // background around the heart
};

// Labels 1..10 as HeartClasses.h numbers them, 0 background; direction identity (LPS), origin at
// the grid corner.
LabelVolume makeSyntheticHeart(uint64_t seed, const SyntheticHeartOptions& options = {});

// Writes OUTDIR/heart_###.nii.gz for seeds seed..seed+cases-1; returns the paths.
std::vector<std::string> writeSyntheticHearts(const std::string& outDir, int cases, uint64_t seed,
                                              const SyntheticHeartOptions& options,
                                              Job* job = nullptr);

} // namespace lumen
