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
  std::vector<uint8_t> outside(mask.size());
  bool any = false;
  for (size_t i = 0; i < mask.size(); ++i) {
    outside[i] = mask[i] ? 0 : 1;
    any = any || mask[i];
  }
  std::vector<float> result(mask.size(), kInf);
  if (!any)
    return result;
  const std::vector<float> toInside = squaredDistanceTransform(mask, size, spacing);
  const std::vector<float> toOutside = squaredDistanceTransform(outside, size, spacing);
  // Half a voxel (the smallest spacing) moves the zero level from voxel centres to the boundary.
  const float half = float(0.5 * std::min(spacing[0], std::min(spacing[1], spacing[2])));
  for (size_t i = 0; i < mask.size(); ++i)
    result[i] = mask[i] ? half - std::sqrt(toOutside[i]) : std::sqrt(toInside[i]) - half;
  return result;
}

} // namespace lumen
