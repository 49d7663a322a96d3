#include "shapes/ShapeMetrics.h"

#include "shapes/DistanceTransform.h"

#include <algorithm>
#include <cmath>

namespace lumen {
namespace {

using Box = std::array<int64_t, 6>; // lo x, y, z, hi x, y, z (inclusive)

// Surface voxels of `mask` (size `n`): mask XOR its erosion by the 6-neighbour cross with an
// empty border, i.e. mask voxels with an outside 6-neighbour or on the grid's border.
std::vector<uint8_t> surfaceOf(const std::vector<uint8_t>& mask, const std::array<int64_t, 3>& n) {
  std::vector<uint8_t> surface(mask.size(), 0);
  auto at = [&](int64_t i, int64_t j, int64_t k) {
    if (i < 0 || j < 0 || k < 0 || i >= n[0] || j >= n[1] || k >= n[2])
      return uint8_t(0);
    return mask[size_t((k * n[1] + j) * n[0] + i)];
  };
  for (int64_t k = 0; k < n[2]; ++k)
    for (int64_t j = 0; j < n[1]; ++j)
      for (int64_t i = 0; i < n[0]; ++i)
        if (at(i, j, k) && !(at(i - 1, j, k) && at(i + 1, j, k) && at(i, j - 1, k) &&
                             at(i, j + 1, k) && at(i, j, k - 1) && at(i, j, k + 1)))
          surface[size_t((k * n[1] + j) * n[0] + i)] = 1;
  return surface;
}

// Distances (mm) from each voxel of `from` to the nearest voxel of `to`.
std::vector<double> directedDistances(const std::vector<uint8_t>& from,
                                      const std::vector<uint8_t>& to,
                                      const std::array<int64_t, 3>& n,
                                      const std::array<double, 3>& spacing) {
  const auto squared = squaredDistanceTransform(to, n, spacing);
  std::vector<double> d;
  for (size_t v = 0; v < from.size(); ++v)
    if (from[v])
      d.push_back(std::sqrt(double(squared[v])));
  return d;
}

double mean(const std::vector<double>& d) {
  double s = 0;
  for (double x : d)
    s += x;
  return s / double(d.size());
}

} // namespace

double interpolatedPercentile(std::vector<double> values, double q) {
  const double position = q / 100.0 * double(values.size() - 1);
  const auto below = size_t(std::floor(position));
  const double t = position - double(below);
  std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(below), values.end());
  const double a = values[below];
  if (t == 0 || below + 1 >= values.size())
    return a;
  const double b = *std::min_element(values.begin() + std::ptrdiff_t(below) + 1, values.end());
  // numpy's lerp: from the nearer end, so the result never leaves [a, b] by rounding.
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
}

double missedClassPenalty(const std::array<int64_t, 3>& size,
                          const std::array<double, 3>& spacing) {
  double squared = 0;
  for (size_t d = 0; d < 3; ++d)
    squared += std::pow(double(size[d]) * spacing[d], 2);
  return std::sqrt(squared);
}

ClassScore scoreClass(const std::vector<uint8_t>& predicted, const std::vector<uint8_t>& truth,
                      const std::array<int64_t, 3>& size, const std::array<double, 3>& spacing,
                      int label) {
  ClassScore score;
  score.label = label;
  // Work on the box around both masks (plus a voxel) instead of the whole grid.
  Box box{size[0], size[1], size[2], -1, -1, -1};
  int64_t both = 0;
  for (int64_t k = 0; k < size[2]; ++k)
    for (int64_t j = 0; j < size[1]; ++j)
      for (int64_t i = 0; i < size[0]; ++i) {
        const size_t v = size_t((k * size[1] + j) * size[0] + i);
        const bool p = predicted[v] == label, t = truth[v] == label;
        score.predictedVoxels += p;
        score.truthVoxels += t;
        both += p && t;
        if (p || t) {
          box = {std::min(box[0], i), std::min(box[1], j), std::min(box[2], k),
                 std::max(box[3], i), std::max(box[4], j), std::max(box[5], k)};
        }
      }
  const int64_t sum = score.predictedVoxels + score.truthVoxels;
  score.dice = sum == 0 ? 1.0 : 2.0 * double(both) / double(sum);
  if (sum == 0)
    return score; // both empty: perfect agreement, distances 0
  if (score.penalised()) {
    const double penalty = missedClassPenalty(size, spacing);
    score.hd95 = score.assd = penalty;
    score.chamfer = 2 * penalty;
    return score;
  }
  std::array<int64_t, 3> lo{}, n{};
  for (size_t d = 0; d < 3; ++d) {
    lo[d] = std::max<int64_t>(0, box[d] - 1);
    n[d] = std::min<int64_t>(size[d] - 1, box[d + 3] + 1) - lo[d] + 1;
  }
  std::vector<uint8_t> p(size_t(n[0] * n[1] * n[2])), t(p.size());
  for (int64_t k = 0; k < n[2]; ++k)
    for (int64_t j = 0; j < n[1]; ++j)
      for (int64_t i = 0; i < n[0]; ++i) {
        const size_t src = size_t(((k + lo[2]) * size[1] + j + lo[1]) * size[0] + i + lo[0]);
        const size_t dst = size_t((k * n[1] + j) * n[0] + i);
        p[dst] = predicted[src] == label;
        t[dst] = truth[src] == label;
      }
  // The crop keeps the grid's border where the masks touch it (lo = 0 or the last index), so the
  // surfaces are those of the full grid.
  const auto ps = surfaceOf(p, n), ts = surfaceOf(t, n);
  const auto toTruth = directedDistances(ps, ts, n, spacing);
  const auto toPrediction = directedDistances(ts, ps, n, spacing);
  score.hd95 =
      std::max(interpolatedPercentile(toTruth, 95), interpolatedPercentile(toPrediction, 95));
  double total = 0;
  for (double x : toTruth)
    total += x;
  for (double x : toPrediction)
    total += x;
  score.assd = total / double(toTruth.size() + toPrediction.size());
  score.chamfer = mean(toTruth) + mean(toPrediction);
  return score;
}

} // namespace lumen
