// Exact Euclidean distance transforms on a regular grid (Felzenszwalb & Huttenlocher's separable
// lower-envelope algorithm), and the signed distance of a binary mask built from two of them.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace lumen {

// Squared distance (in voxels of size `spacing`, x-fastest layout) from every voxel to the
// nearest voxel where `feature` is true; +infinity when there is none.
std::vector<float> squaredDistanceTransform(const std::vector<uint8_t>& feature,
                                            const std::array<int64_t, 3>& size,
                                            const std::array<double, 3>& spacing);

// Signed distance to the boundary of `mask` (inside negative), in the units of `spacing`. The
// boundary lies half a voxel beyond the outermost inside voxel: an inside voxel next to an
// outside one gets -h/2, the outside one +h/2. A mask with no voxels gives +infinity everywhere.
std::vector<float> signedDistance(const std::vector<uint8_t>& mask,
                                  const std::array<int64_t, 3>& size,
                                  const std::array<double, 3>& spacing);

} // namespace lumen
