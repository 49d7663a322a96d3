// The patient's body in a CT scan, for scoring and for weighting losses when the user has no mask
// of their own: voxels above an air threshold, the largest 6-connected part of them (the couch,
// blankets and stray noise are smaller parts or are not connected), each axial slice's holes
// filled (the lungs, airways and bowel gas are body).
#pragma once
#include "io/Volume.h"

#include <cstdint>

namespace lumen {

constexpr double kBodyThresholdHu = -500;

Volume<uint8_t> bodyMask(const FloatVolume& ct, double thresholdHu = kBodyThresholdHu);

} // namespace lumen
