// Small 3-vector arithmetic for the chest phantom's geometry (millimetres, LPS).
#pragma once
#include "io/Volume.h"

#include <algorithm>
#include <cmath>

namespace lumen::chest {

inline Vec3 operator+(const Vec3& a, const Vec3& b) {
  return {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
}
inline Vec3 operator-(const Vec3& a, const Vec3& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}
inline Vec3 operator*(const Vec3& a, double s) {
  return {a[0] * s, a[1] * s, a[2] * s};
}
inline double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
inline Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
inline double norm(const Vec3& a) {
  return std::sqrt(dot(a, a));
}
inline Vec3 normalized(const Vec3& a) {
  return a * (1.0 / std::max(1e-12, norm(a)));
}
// Rotates v about the unit axis by `radians` (Rodrigues).
inline Vec3 rotated(const Vec3& v, const Vec3& axis, double radians) {
  const double c = std::cos(radians), s = std::sin(radians);
  return v * c + cross(axis, v) * s + axis * (dot(axis, v) * (1 - c));
}

} // namespace lumen::chest
