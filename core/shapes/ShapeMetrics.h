// Per-class agreement of a predicted label volume with the ground truth on the same grid:
// Dice, HD95, ASSD and Chamfer distance in millimetres, as MONAI defines them:
//   surface: the mask XOR its erosion by the 6-neighbour cross, voxels beyond the grid counting as
//     background (so mask voxels on the grid's border are surface voxels);
//   directed distances: from every surface voxel of one mask to the nearest surface voxel of the
//     other (exact Euclidean distance transform with the grid's spacing);
//   HD95: the larger of the two directed distance sets' 95th percentiles, each interpolated
//     linearly between order statistics (np.percentile's default);
//   ASSD: the mean of both directed distance sets taken together (not the mean of their means);
//   Chamfer: the mean distance from prediction to truth plus the mean from truth to prediction.
// Where MONAI gives inf or NaN because one mask is empty, a distance would drop out of any mean
// and a model that misses a class entirely would look better than one that tries. Instead, as
// BraTS-style evaluations do, a class missing from one mask but not the other scores Dice 0 and
// the penalty distance (the grid's diagonal, farther than any two voxels of the grid) for HD95
// and ASSD, twice it for Chamfer (both directed means); both empty scores Dice 1 and distance 0.
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
  // The truth has the class and the prediction has none of it.
  bool missed() const { return truthVoxels > 0 && predictedVoxels == 0; }
  // The prediction has a class the truth does not.
  bool spurious() const { return truthVoxels == 0 && predictedVoxels > 0; }
  // The distances are the penalty, not measured.
  bool penalised() const { return missed() || spurious(); }
};

// The penalty distance of a grid: the length of its diagonal, sqrt(sum (size_d * spacing_d)^2).
double missedClassPenalty(const std::array<int64_t, 3>& size, const std::array<double, 3>& spacing);

ClassScore scoreClass(const std::vector<uint8_t>& predicted, const std::vector<uint8_t>& truth,
                      const std::array<int64_t, 3>& size, const std::array<double, 3>& spacing,
                      int label);

// The q-th percentile (0..100) of `values` with linear interpolation between the order
// statistics at q/100 * (n - 1), as np.percentile computes it. `values` must not be empty.
double interpolatedPercentile(std::vector<double> values, double q);

} // namespace lumen
