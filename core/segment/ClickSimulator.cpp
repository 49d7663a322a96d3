#include "segment/ClickSimulator.h"

#include "shapes/DistanceTransform.h"

#include <algorithm>
#include <cmath>

namespace lumen {

namespace {

// The voxel of slice z of `region` farthest from the region's border in that slice (the slice's
// 2D distance transform, so the click is on the slice the user looks at).
std::optional<VoxelIndex> innermostOnSlice(const std::vector<uint8_t>& region,
                                           const ImageGeometry& g, int64_t z) {
  const int64_t w = g.size[0], h = g.size[1];
  std::vector<uint8_t> outside(size_t(w * h));
  bool any = false;
  for (int64_t v = 0; v < w * h; ++v) {
    const bool in = region[size_t(z * w * h + v)] != 0;
    outside[size_t(v)] = !in;
    any |= in;
  }
  if (!any)
    return std::nullopt;
  // The image's edge counts as border too: a one-voxel frame of "outside" around the slice.
  std::vector<uint8_t> framed(size_t((w + 2) * (h + 2)), 1);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      framed[size_t((y + 1) * (w + 2) + x + 1)] = outside[size_t(y * w + x)];
  const auto d2 =
      squaredDistanceTransform(framed, {w + 2, h + 2, 1}, {g.spacing[0], g.spacing[1], 1});
  float best = -1;
  VoxelIndex at{0, 0, z};
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      const float d = d2[size_t((y + 1) * (w + 2) + x + 1)];
      if (!outside[size_t(y * w + x)] && d > best) {
        best = d;
        at = {x, y, z};
      }
    }
  return at;
}

// The slice of `region` with the largest area among the component, and the component itself.
std::vector<uint8_t> largestComponent(const std::vector<uint8_t>& region, const ImageGeometry& g,
                                      int64_t* voxels) {
  MaskVolume m;
  m.geometry = g;
  m.values = region;
  keepLargestComponent(m);
  *voxels = std::count_if(m.values.begin(), m.values.end(), [](uint8_t v) { return v != 0; });
  return std::move(m.values);
}

std::optional<PromptPoint> clickIn(const std::vector<uint8_t>& region, const ImageGeometry& g,
                                   bool positive) {
  // On the region's widest slice: where a person would see the error best.
  const int64_t slice = g.size[0] * g.size[1];
  int64_t bestZ = -1, bestArea = 0;
  for (int64_t z = 0; z < g.size[2]; ++z) {
    const auto begin = region.begin() + z * slice;
    const int64_t area = std::count_if(begin, begin + slice, [](uint8_t v) { return v != 0; });
    if (area > bestArea)
      bestArea = area, bestZ = z;
  }
  if (bestZ < 0)
    return std::nullopt;
  const auto at = innermostOnSlice(region, g, bestZ);
  if (!at)
    return std::nullopt;
  return PromptPoint{*at, positive};
}

} // namespace

std::vector<PromptPoint> initialClicks(const MaskVolume& truth, int count) {
  const ImageGeometry& g = truth.geometry;
  const int64_t slice = g.size[0] * g.size[1];
  std::vector<int64_t> slices;
  for (int64_t z = 0; z < g.size[2]; ++z) {
    const auto begin = truth.values.begin() + z * slice;
    if (std::any_of(begin, begin + slice, [](uint8_t v) { return v != 0; }))
      slices.push_back(z);
  }
  std::vector<PromptPoint> points;
  if (slices.empty() || count < 1)
    return points;
  std::vector<int64_t> chosen;
  if (count == 1) {
    chosen = {slices[slices.size() / 2]};
  } else {
    for (int n = 0; n < count; ++n)
      chosen.push_back(
          slices[size_t(std::lround(double(n) * double(slices.size() - 1) / double(count - 1)))]);
  }
  for (int64_t z : chosen)
    if (const auto at = innermostOnSlice(truth.values, g, z))
      points.push_back({*at, true});
  return points;
}

std::optional<PromptPoint> correctionClick(const MaskVolume& truth, const MaskVolume& prediction) {
  const size_t n = truth.values.size();
  std::vector<uint8_t> missed(n), extra(n);
  for (size_t v = 0; v < n; ++v) {
    const bool t = truth.values[v] != 0, p = prediction.values[v] != 0;
    missed[v] = t && !p;
    extra[v] = p && !t;
  }
  int64_t missedVoxels = 0, extraVoxels = 0;
  const auto missedRegion = largestComponent(missed, truth.geometry, &missedVoxels);
  const auto extraRegion = largestComponent(extra, truth.geometry, &extraVoxels);
  if (missedVoxels == 0 && extraVoxels == 0)
    return std::nullopt;
  return missedVoxels >= extraVoxels ? clickIn(missedRegion, truth.geometry, true)
                                     : clickIn(extraRegion, truth.geometry, false);
}

double diceScore(const MaskVolume& a, const MaskVolume& b) {
  int64_t both = 0, sum = 0;
  for (size_t v = 0; v < a.values.size(); ++v) {
    const bool x = a.values[v] != 0, y = b.values[v] != 0;
    both += x && y;
    sum += int64_t(x) + int64_t(y);
  }
  return sum ? 2.0 * double(both) / double(sum) : 1.0;
}

} // namespace lumen
