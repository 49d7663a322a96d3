#include "segment/NegativeSplit.h"

#include "segment/MaskExtent.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace lumen {

int64_t splitByNegativeClicks(MaskVolume& mask, const std::vector<PromptPoint>& points) {
  const ImageGeometry& g = mask.geometry;
  const int64_t W = g.size[0], H = g.size[1];
  auto offset = [&](const VoxelIndex& p) { return size_t(p[0] + W * (p[1] + H * p[2])); };
  bool anyNegative = false, anyPositive = false;
  for (const auto& p : points)
    if (g.contains(p.ijk[0], p.ijk[1], p.ijk[2]) && mask.values[offset(p.ijk)])
      (p.positive ? anyPositive : anyNegative) = true;
  if (!anyNegative || !anyPositive)
    return 0;

  // The search never leaves the mask's bounding box.
  const MaskExtent e = maskExtent(mask);
  const int64_t w = e.width(), h = e.height(), d = e.depth();
  const auto& lo = e.lo;
  auto local = [&](int64_t x, int64_t y, int64_t z) { return e.local(x, y, z); };
  auto full = [&](int64_t x, int64_t y, int64_t z) { return e.full(x, y, z); };

  // Dijkstra from both click sets at once; side 1 positive, 2 negative.
  std::vector<float> distance(size_t(w * h * d), std::numeric_limits<float>::infinity());
  std::vector<uint8_t> side(size_t(w * h * d), 0);
  using Entry = std::pair<float, int64_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  for (const auto& p : points) {
    if (!g.contains(p.ijk[0], p.ijk[1], p.ijk[2]) || !mask.values[offset(p.ijk)])
      continue;
    const size_t at = local(p.ijk[0] - lo[0], p.ijk[1] - lo[1], p.ijk[2] - lo[2]);
    distance[at] = 0;
    side[at] = p.positive ? 1 : 2; // a voxel clicked both ways ends negative, the last word
    queue.push({0.f, int64_t(at)});
  }
  float step[27];
  for (int dz = -1; dz <= 1; ++dz)
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx)
        step[(dz + 1) * 9 + (dy + 1) * 3 + dx + 1] =
            float(std::sqrt(std::pow(dx * g.spacing[0], 2) + std::pow(dy * g.spacing[1], 2) +
                            std::pow(dz * g.spacing[2], 2)));
  while (!queue.empty()) {
    const auto [dist, at] = queue.top();
    queue.pop();
    if (dist > distance[size_t(at)])
      continue;
    const int64_t x = at % w, y = (at / w) % h, z = at / (w * h);
    for (int dz = -1; dz <= 1; ++dz)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int64_t nx = x + dx, ny = y + dy, nz = z + dz;
          if ((dx | dy | dz) == 0 || nx < 0 || ny < 0 || nz < 0 || nx >= w || ny >= h || nz >= d ||
              !mask.values[full(nx, ny, nz)])
            continue;
          const size_t n = local(nx, ny, nz);
          const float through = dist + step[(dz + 1) * 9 + (dy + 1) * 3 + dx + 1];
          if (through < distance[n]) {
            distance[n] = through;
            side[n] = side[size_t(at)];
            queue.push({through, int64_t(n)});
          }
        }
  }
  int64_t removed = 0;
  for (int64_t z = 0; z < d; ++z)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        if (side[local(x, y, z)] == 2) {
          mask.values[full(x, y, z)] = 0;
          ++removed;
        }
  return removed;
}

} // namespace lumen
