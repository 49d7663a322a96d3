#include "shapes/DistanceTransform.h"

#include <cmath>
#include <limits>

namespace lumen {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// One 1D pass along a line of n samples with stride `stride`: f holds squared distances from the
// previous passes; the result is min_q (f[q] + (w * (p - q))^2).
void lowerEnvelope(float* data, int64_t n, int64_t stride, double w2, std::vector<double>& f,
                   std::vector<int64_t>& v, std::vector<double>& z, std::vector<double>& out) {
  int64_t k = -1;
  for (int64_t q = 0; q < n; ++q) {
    f[size_t(q)] = data[q * stride];
    if (f[size_t(q)] == kInf)
      continue;
    double s = 0;
    while (k >= 0) {
      const int64_t p = v[size_t(k)];
      s = ((f[size_t(q)] + w2 * double(q * q)) - (f[size_t(p)] + w2 * double(p * p))) /
          (2.0 * w2 * double(q - p));
      if (s > z[size_t(k)])
        break;
      --k;
    }
    ++k;
    v[size_t(k)] = q;
    z[size_t(k)] = k == 0 ? -std::numeric_limits<double>::infinity() : s;
    z[size_t(k) + 1] = std::numeric_limits<double>::infinity();
  }
  if (k < 0)
    return; // no finite value on this line: stays infinite
  int64_t j = 0;
  for (int64_t q = 0; q < n; ++q) {
    while (z[size_t(j) + 1] < double(q))
      ++j;
    const double d = double(q - v[size_t(j)]);
    out[size_t(q)] = w2 * d * d + f[size_t(v[size_t(j)])];
  }
  for (int64_t q = 0; q < n; ++q)
    data[q * stride] = float(out[size_t(q)]);
}

} // namespace

std::vector<float> squaredDistanceTransform(const std::vector<uint8_t>& feature,
                                            const std::array<int64_t, 3>& size,
                                            const std::array<double, 3>& spacing) {
  const int64_t nx = size[0], ny = size[1], nz = size[2];
  std::vector<float> d(feature.size());
  for (size_t i = 0; i < feature.size(); ++i)
    d[i] = feature[i] ? 0.0f : kInf;
  const auto longest = static_cast<size_t>(std::max(nx, std::max(ny, nz)));
  std::vector<double> f(longest), z(longest + 1), out(longest);
  std::vector<int64_t> v(longest);
  const double wx = spacing[0] * spacing[0], wy = spacing[1] * spacing[1],
               wz = spacing[2] * spacing[2];
  for (int64_t k = 0; k < nz; ++k)
    for (int64_t j = 0; j < ny; ++j)
      lowerEnvelope(d.data() + (k * ny + j) * nx, nx, 1, wx, f, v, z, out);
  for (int64_t k = 0; k < nz; ++k)
    for (int64_t i = 0; i < nx; ++i)
      lowerEnvelope(d.data() + k * ny * nx + i, ny, nx, wy, f, v, z, out);
  for (int64_t j = 0; j < ny; ++j)
    for (int64_t i = 0; i < nx; ++i)
      lowerEnvelope(d.data() + j * nx + i, nz, nx * ny, wz, f, v, z, out);
  return d;
}

std::vector<float> signedDistance(const std::vector<uint8_t>& mask,
                                  const std::array<int64_t, 3>& size,
                                  const std::array<double, 3>& spacing) {
  std::vector<float> result(mask.size(), kInf);
  std::array<int64_t, 3> lo{size}, hi{-1, -1, -1};
  for (int64_t k = 0; k < size[2]; ++k)
    for (int64_t j = 0; j < size[1]; ++j)
      for (int64_t i = 0; i < size[0]; ++i)
        if (mask[size_t((k * size[1] + j) * size[0] + i)]) {
          lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
          hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
        }
  if (hi[0] < 0)
    return result;
  // Half a voxel (the smallest spacing) moves the zero level from voxel centres to the boundary.
  const float half = float(0.5 * std::min(spacing[0], std::min(spacing[1], spacing[2])));
  const std::vector<float> toInside = squaredDistanceTransform(mask, size, spacing);
  for (size_t i = 0; i < mask.size(); ++i)
    if (!mask[i])
      result[i] = std::sqrt(toInside[i]) - half;
  // Inside voxels only need the box around the mask plus one voxel: the nearest outside voxel
  // of an inside one is never farther than that box's (all outside) ring.
  std::array<int64_t, 3> first{}, crop{};
  for (size_t d = 0; d < 3; ++d) {
    first[d] = std::max<int64_t>(lo[d] - 1, 0);
    crop[d] = std::min<int64_t>(hi[d] + 1, size[d] - 1) - first[d] + 1;
  }
  std::vector<uint8_t> outside(size_t(crop[0] * crop[1] * crop[2]));
  auto full = [&](int64_t i, int64_t j, int64_t k) {
    return size_t(((k + first[2]) * size[1] + j + first[1]) * size[0] + i + first[0]);
  };
  for (int64_t k = 0; k < crop[2]; ++k)
    for (int64_t j = 0; j < crop[1]; ++j)
      for (int64_t i = 0; i < crop[0]; ++i)
        outside[size_t((k * crop[1] + j) * crop[0] + i)] = mask[full(i, j, k)] ? 0 : 1;
  const std::vector<float> toOutside = squaredDistanceTransform(outside, crop, spacing);
  for (int64_t k = 0; k < crop[2]; ++k)
    for (int64_t j = 0; j < crop[1]; ++j)
      for (int64_t i = 0; i < crop[0]; ++i)
        if (mask[full(i, j, k)])
          result[full(i, j, k)] =
              half - std::sqrt(toOutside[size_t((k * crop[1] + j) * crop[0] + i)]);
  return result;
}

} // namespace lumen
