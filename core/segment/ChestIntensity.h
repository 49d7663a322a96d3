// HU images of a painted chest: each voxel's tissue sets its value (blood and myocardium by the
// phase: native or arterial contrast), with smooth low-frequency texture in the lungs, fat,
// muscle and bone, a Gaussian blur for the scanner's partial volume and Gaussian noise drawn per
// voxel from the seed, so no image is piecewise constant and the same seed gives the same bytes.
#pragma once
#include "segment/ChestAnatomy.h"

namespace lumen {

class Job;

// A rigid patient movement between two scans: x' = centre + rotation (x - centre) + shift, in
// physical mm, the centre being the image's.
struct RigidMotion {
  std::array<double, 9> rotation{1, 0, 0, 0, 1, 0, 0, 0, 1}; // row-major
  Vec3 shiftMm{0, 0, 0};
  bool isIdentity() const;
};

struct ChestRenderSettings {
  bool contrast = false; // arterial-phase CTA instead of the non-contrast scan
  double noiseHu = 14;   // standard deviation of the noise
  double blurMm = 0.6;   // standard deviation of the partial-volume blur (at least 0.45 voxel)
  double scale = 1;      // physical mm per phantom mm
  uint64_t noiseSeed = 0;
  int threads = 1;
  // The patient as this scan sees them, moved after the blur and before the noise (trilinear;
  // air where the moved patient leaves the field of view).
  RigidMotion motion;
};

CtVolume renderChestCt(const LabelVolume& labels, const std::vector<ChestMaterial>& materials,
                       const ChestAnatomy& anatomy, const ChestRenderSettings& settings,
                       Job* job = nullptr);

} // namespace lumen
