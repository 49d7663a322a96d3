#include "io/Volume.h"

#include "common/Error.h"

#include <cmath>

namespace lumen {

Vec3 ImageGeometry::indexToPhysical(const Vec3& index) const {
  Vec3 p = origin;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      p[size_t(r)] += direction[size_t(3 * r + c)] * spacing[size_t(c)] * index[size_t(c)];
  return p;
}

Vec3 ImageGeometry::physicalToIndex(const Vec3& point) const {
  // M = direction * diag(spacing); index = M^-1 (point - origin), by the adjugate.
  double m[3][3];
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      m[r][c] = direction[size_t(3 * r + c)] * spacing[size_t(c)];
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  // Relative to the columns' lengths (Hadamard's bound |det| <= product of column norms), so
  // micro-CT spacings of a few micrometres are as regular as millimetre ones; only directions
  // that (nearly) coincide, or a zero spacing, are singular.
  double columns = 1;
  for (int c = 0; c < 3; ++c)
    columns *= std::sqrt(m[0][c] * m[0][c] + m[1][c] * m[1][c] + m[2][c] * m[2][c]);
  if (!(std::abs(det) > 1e-9 * columns))
    throw InputError("the image's direction and spacing form a singular matrix: voxels have no "
                     "well-defined position");
  const double inv[3][3] = {
      {(m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det, (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det,
       (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det},
      {(m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det, (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det,
       (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det},
      {(m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det, (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det,
       (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det}};
  const Vec3 d{point[0] - origin[0], point[1] - origin[1], point[2] - origin[2]};
  Vec3 index{};
  for (int r = 0; r < 3; ++r)
    index[size_t(r)] = inv[r][0] * d[0] + inv[r][1] * d[1] + inv[r][2] * d[2];
  return index;
}

std::string ImageGeometry::orientationCode() const {
  // ITK's physical space is LPS: +x left, +y posterior, +z superior.
  std::string code;
  for (int c = 0; c < 3; ++c) {
    int axis = 0;
    for (int r = 1; r < 3; ++r)
      if (std::abs(direction[size_t(3 * r + c)]) > std::abs(direction[size_t(3 * axis + c)]))
        axis = r;
    const bool positive = direction[size_t(3 * axis + c)] > 0;
    static const char* letters[3][2] = {{"R", "L"}, {"A", "P"}, {"I", "S"}};
    code += letters[axis][positive ? 1 : 0];
  }
  return code;
}

} // namespace lumen
