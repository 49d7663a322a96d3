// The building blocks of a chest phantom: what tissue a voxel is made of (its material, which
// sets its HU) besides what class it belongs to, and the solids painted into the label map in
// order (ellipsoids cut by planes, tapered capsules), each allowed to paint over a set of classes
// only, so e.g. lung vessels never leave the lungs.
#pragma once
#include "io/Volume.h"

#include <cstdint>
#include <vector>

namespace lumen {

enum class ChestMaterial : uint8_t {
  Air,
  Lung,
  Fat,
  Muscle,
  Soft,    // skin, mediastinum, walls
  Abdomen, // liver-like tissue below the diaphragm
  Blood,
  Myocardium,
  Cancellous,
  Cortical,
  Disc,
  Csf,
};

// Bit `label` set: a primitive may paint over voxels of that class (bit 0: outside the body).
using ClassMask = uint32_t;
constexpr ClassMask classBit(int label) {
  return ClassMask(1) << label;
}

struct ChestPrimitive {
  enum class Kind { Ellipsoid, Capsule } kind = Kind::Capsule;
  int label = 0;
  ChestMaterial material = ChestMaterial::Soft;
  ClassMask paintsOver = 0;
  // Voxels within shellMm of the surface get shellMaterial (cortical bone around marrow).
  double shellMm = 0;
  ChestMaterial shellMaterial = ChestMaterial::Cortical;

  // Ellipsoid: centre, axes (unit, orthogonal) and radii; kept where dot(n, p) <= d for every
  // clip plane.
  Vec3 centre{0, 0, 0};
  std::array<Vec3, 3> axes{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};
  Vec3 radii{1, 1, 1};
  std::vector<std::pair<Vec3, double>> clips;

  // Capsule: segment a-b with radius ra at a, rb at b.
  Vec3 a{0, 0, 0}, b{0, 0, 0};
  double ra = 1, rb = 1;

  // Bounding box in millimetres, set by finish().
  Vec3 lo{0, 0, 0}, hi{0, 0, 0};

  // Whether p is inside, and if so how deep below the surface (mm, approximate for ellipsoids).
  bool inside(const Vec3& p, double* depth) const;
  ChestPrimitive& finish();
};

ChestPrimitive chestEllipsoid(int label, ChestMaterial material, ClassMask paintsOver, Vec3 centre,
                              std::array<Vec3, 3> axes, Vec3 radii);
ChestPrimitive chestCapsule(int label, ChestMaterial material, ClassMask paintsOver, Vec3 a, Vec3 b,
                            double ra, double rb);

// Paints `primitives` in order into slice k of `labels` and `materials` (same geometry); the
// phantom's millimetres are the physical point divided by `scale`. Thin capsules are widened to
// `minRadiusMm` (phantom mm) so that small vessels stay visible at coarse spacing.
void paintChestSlice(const std::vector<ChestPrimitive>& primitives, int64_t k, double scale,
                     double minRadiusMm, LabelVolume& labels,
                     std::vector<ChestMaterial>& materials);

} // namespace lumen
