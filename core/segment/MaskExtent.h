// The bounding box of a mask's non-zero voxels, and offsets between it and the whole image: the
// searches over a mask (largest component, the negative-click split) work inside it, since a
// mask is a small part of a CT.
#pragma once
#include "io/Volume.h"

#include <array>
#include <cstdint>

namespace lumen {

struct MaskExtent {
  std::array<int64_t, 3> lo{0, 0, 0}, hi{-1, -1, -1}; // inclusive, image voxels
  int64_t imageWidth = 0, imageHeight = 0;

  bool empty() const { return hi[0] < lo[0]; }
  int64_t width() const { return hi[0] - lo[0] + 1; }
  int64_t height() const { return hi[1] - lo[1] + 1; }
  int64_t depth() const { return hi[2] - lo[2] + 1; }
  int64_t voxels() const { return empty() ? 0 : width() * height() * depth(); }
  // Offset of extent-local voxel (x, y, z) within the extent, and within the whole image.
  size_t local(int64_t x, int64_t y, int64_t z) const {
    return size_t(x + width() * (y + height() * z));
  }
  size_t full(int64_t x, int64_t y, int64_t z) const {
    return size_t((x + lo[0]) + imageWidth * ((y + lo[1]) + imageHeight * (z + lo[2])));
  }
};

template <class T> MaskExtent maskExtent(const Volume<T>& mask) {
  const auto& g = mask.geometry;
  MaskExtent e;
  e.imageWidth = g.size[0];
  e.imageHeight = g.size[1];
  e.lo = {g.size[0], g.size[1], g.size[2]};
  for (int64_t z = 0; z < g.size[2]; ++z)
    for (int64_t y = 0; y < g.size[1]; ++y) {
      const T* line = mask.values.data() + size_t((z * g.size[1] + y) * g.size[0]);
      for (int64_t x = 0; x < g.size[0]; ++x)
        if (line[x]) {
          e.lo = {std::min(e.lo[0], x), std::min(e.lo[1], y), std::min(e.lo[2], z)};
          e.hi = {std::max(e.hi[0], x), std::max(e.hi[1], y), std::max(e.hi[2], z)};
        }
    }
  if (e.hi[0] < 0)
    e.lo = {0, 0, 0};
  return e;
}

} // namespace lumen
