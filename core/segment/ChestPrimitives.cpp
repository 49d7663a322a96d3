#include "segment/ChestPrimitives.h"

#include "segment/ChestVectors.h"

#include <algorithm>
#include <cmath>

namespace lumen {
using namespace chest;

bool ChestPrimitive::inside(const Vec3& p, double* depth) const {
  if (kind == Kind::Capsule) {
    const Vec3 ab = b - a;
    const double u = std::clamp(dot(p - a, ab) / std::max(1e-9, dot(ab, ab)), 0.0, 1.0);
    const double distance = norm(p - (a + ab * u));
    const double r = ra + (rb - ra) * u;
    *depth = r - distance;
    return distance <= r;
  }
  const Vec3 d = p - centre;
  double rho2 = 0;
  for (size_t axis = 0; axis < 3; ++axis) {
    const double q = dot(d, axes[axis]) / radii[axis];
    rho2 += q * q;
  }
  if (rho2 > 1)
    return false;
  *depth = (1 - std::sqrt(rho2)) * std::min({radii[0], radii[1], radii[2]});
  for (const auto& [normal, offset] : clips) {
    const double below = offset - dot(normal, p);
    if (below < 0)
      return false;
    *depth = std::min(*depth, below);
  }
  return true;
}

ChestPrimitive& ChestPrimitive::finish() {
  if (kind == Kind::Capsule) {
    const double r = std::max(ra, rb);
    for (size_t d = 0; d < 3; ++d) {
      lo[d] = std::min(a[d], b[d]) - r;
      hi[d] = std::max(a[d], b[d]) + r;
    }
    return *this;
  }
  // The box of the rotated ellipsoid: along each body axis, the extent of the axes' projections.
  for (size_t d = 0; d < 3; ++d) {
    double extent = 0;
    for (size_t axis = 0; axis < 3; ++axis)
      extent += std::pow(axes[axis][d] * radii[axis], 2);
    extent = std::sqrt(extent);
    lo[d] = centre[d] - extent;
    hi[d] = centre[d] + extent;
  }
  return *this;
}

ChestPrimitive chestEllipsoid(int label, ChestMaterial material, ClassMask paintsOver, Vec3 centre,
                              std::array<Vec3, 3> axes, Vec3 radii) {
  ChestPrimitive p;
  p.kind = ChestPrimitive::Kind::Ellipsoid;
  p.label = label;
  p.material = material;
  p.paintsOver = paintsOver;
  p.centre = centre;
  p.axes = axes;
  p.radii = radii;
  p.finish();
  return p;
}

ChestPrimitive chestCapsule(int label, ChestMaterial material, ClassMask paintsOver, Vec3 a, Vec3 b,
                            double ra, double rb) {
  ChestPrimitive p;
  p.kind = ChestPrimitive::Kind::Capsule;
  p.label = label;
  p.material = material;
  p.paintsOver = paintsOver;
  p.a = a;
  p.b = b;
  p.ra = ra;
  p.rb = rb;
  p.finish();
  return p;
}

void paintChestSlice(const std::vector<ChestPrimitive>& primitives, int64_t k, double scale,
                     double minRadiusMm, LabelVolume& labels,
                     std::vector<ChestMaterial>& materials) {
  const ImageGeometry& g = labels.geometry;
  const double z = (g.origin[2] + double(k) * g.spacing[2]) / scale;
  for (const ChestPrimitive& primitive : primitives) {
    const double grow = primitive.kind == ChestPrimitive::Kind::Capsule ? minRadiusMm : 0.0;
    if (z < primitive.lo[2] - grow || z > primitive.hi[2] + grow)
      continue;
    ChestPrimitive widened;
    const ChestPrimitive* shape = &primitive;
    if (grow > 0 && std::min(primitive.ra, primitive.rb) < minRadiusMm) {
      widened = primitive;
      widened.ra = std::max(widened.ra, minRadiusMm);
      widened.rb = std::max(widened.rb, minRadiusMm);
      shape = &widened;
    }
    int64_t first[2], last[2];
    for (size_t d = 0; d < 2; ++d) {
      first[d] = std::max<int64_t>(
          0, int64_t(std::floor(((primitive.lo[d] - grow) * scale - g.origin[d]) / g.spacing[d])));
      last[d] = std::min<int64_t>(
          g.size[d] - 1,
          int64_t(std::ceil(((primitive.hi[d] + grow) * scale - g.origin[d]) / g.spacing[d])));
    }
    for (int64_t j = first[1]; j <= last[1]; ++j) {
      const double y = (g.origin[1] + double(j) * g.spacing[1]) / scale;
      for (int64_t i = first[0]; i <= last[0]; ++i) {
        const size_t offset = g.offset(i, j, k);
        if (!(primitive.paintsOver & classBit(labels.values[offset])))
          continue;
        double depth = 0;
        if (!shape->inside({(g.origin[0] + double(i) * g.spacing[0]) / scale, y, z}, &depth))
          continue;
        labels.values[offset] = primitive.label;
        materials[offset] =
            depth < primitive.shellMm ? primitive.shellMaterial : primitive.material;
      }
    }
  }
}

} // namespace lumen
