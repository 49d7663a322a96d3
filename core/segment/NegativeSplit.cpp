#include "segment/NegativeSplit.h"

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

  // The mask's bounding box: the search never leaves it.
  int64_t lo[3] = {g.size[0], g.size[1], g.size[2]}, hi[3] = {-1, -1, -1};
  for (int64_t z = 0; z < g.size[2]; ++z)
    for (int64_t y = 0; y < H; ++y) {
      const uint8_t* line = mask.values.data() + size_t((z * H + y) * W);
      for (int64_t x = 0; x < W; ++x)
        if (line[x]) {
          lo[0] = std::min(lo[0], x), hi[0] = std::max(hi[0], x);
          lo[1] = std::min(lo[1], y), hi[1] = std::max(hi[1], y);
          lo[2] = std::min(lo[2], z), hi[2] = std::max(hi[2], z);
        }
    }
  const int64_t w = hi[0] - lo[0] + 1, h = hi[1] - lo[1] + 1, d = hi[2] - lo[2] + 1;
  auto local = [&](int64_t x, int64_t y, int64_t z) { return size_t(x + w * (y + h * z)); };
  auto full = [&](int64_t x, int64_t y, int64_t z) {
    return size_t((x + lo[0]) + W * ((y + lo[1]) + H * (z + lo[2])));
  };

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
