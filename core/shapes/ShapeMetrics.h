// Per-class agreement of a predicted label volume with the ground truth on the same grid
// (SPEC H7): Dice, HD95, ASSD and Chamfer distance in millimetres. Distances are between the
// two classes' surface voxels (voxels of the class with a 6-neighbour outside it), through exact
// Euclidean distance transforms with the grid's spacing.
//   HD95: the larger of the two directed 95th-percentile distances (as MONAI computes it);
//   ASSD: the mean of all distances in both directions;
//   Chamfer: mean distance from prediction to truth plus mean distance from truth to prediction.
// Distances are NaN when either surface is empty.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace lumen {

struct ClassScore {
  int label = 0;
  double dice = 0;
  double hd95 = 0, assd = 0, chamfer = 0; // mm
  int64_t truthVoxels = 0, predictedVoxels = 0;
};

ClassScore scoreClass(const std::vector<uint8_t>& predicted, const std::vector<uint8_t>& truth,
                      const std::array<int64_t, 3>& size, const std::array<double, 3>& spacing,
                      int label);

} // namespace lumen
