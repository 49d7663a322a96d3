#include "segment/ChestTorso.h"

#include "segment/ChestClasses.h"

#include <algorithm>
#include <cmath>

namespace lumen {

double ChestTorso::outlineRadius(double angle) const {
  const double c = std::abs(std::cos(angle)) / halfWidth;
  const double s = std::abs(std::sin(angle)) / halfDepth;
  return std::pow(std::pow(c, exponent) + std::pow(s, exponent), -1.0 / exponent);
}

double ChestTorso::wallDepth(double angle) const {
  const double c = std::cos(angle), s = std::sin(angle);
  // Fat is thicker at the flanks; the erector spinae thicken the back beside the spine, the
  // pectorals the front on both sides of the sternum.
  const double fat = fatMm * (0.7 + 0.6 * c * c);
  const double back = backMuscleMm * std::pow(std::max(0.0, s), 3);
  const double pectoral = pectoralMm * std::max(0.0, -s) * std::abs(std::sin(2 * angle));
  return skinMm + fat + muscleMm + back + pectoral;
}

Vec3 ChestTorso::pointBelowSkin(double angle, double z, double depth) const {
  const double r = outlineRadius(angle) - depth;
  return {r * std::cos(angle), r * std::sin(angle), z};
}

double ChestTorso::diaphragmZ(double x, double y) const {
  // Two paraboloid domes: low at the flanks and the back (the costophrenic recesses), the right
  // one higher over the liver.
  const double y2 = (y + 10) * (y + 10);
  const double right = domeRightZ - domeCurvature * ((x + 65) * (x + 65) + y2);
  const double left = domeLeftZ - domeCurvature * ((x - 65) * (x - 65) + y2);
  return std::max(right, left);
}

namespace {
constexpr int kAngles = 4096;
constexpr double kPi = 3.14159265358979323846;
} // namespace

void ChestTorso::prepare() {
  // Every voxel needs its layers; tabulated, they cost a lookup instead of five powers.
  byAngle_.resize(kAngles + 1);
  for (int a = 0; a <= kAngles; ++a) {
    const double angle = -kPi + 2 * kPi * a / kAngles, c = std::cos(angle);
    byAngle_[size_t(a)] = {float(outlineRadius(angle)), float(skinMm + fatMm * (0.7 + 0.6 * c * c)),
                           float(wallDepth(angle))};
  }
}

ChestTorso::Layers ChestTorso::layersAt(double angle) const {
  const double u = (angle + kPi) / (2 * kPi) * kAngles;
  const size_t a = std::min<size_t>(size_t(std::max(0.0, u)), kAngles - 1);
  const float f = float(u - double(a));
  const Layers& l = byAngle_[a];
  const Layers& r = byAngle_[a + 1];
  return {l.outline + f * (r.outline - l.outline), l.fat + f * (r.fat - l.fat),
          l.wall + f * (r.wall - l.wall)};
}

std::pair<int, ChestMaterial> ChestTorso::classify(const Vec3& p) const {
  const double x = p[0], y = p[1], z = p[2];
  const Layers layers = layersAt(std::atan2(y, x));
  const double depth = layers.outline - std::hypot(x, y);
  if (depth < 0)
    return {0, ChestMaterial::Air};
  if (depth < skinMm)
    return {kChestBody, ChestMaterial::Soft};
  if (depth < layers.fat)
    return {kChestFat, ChestMaterial::Fat};
  const double cavity = depth - layers.wall;
  if (cavity < 0)
    return {kChestMuscle, ChestMaterial::Muscle};
  if (z < diaphragmZ(x, y))
    return {kChestBody, ChestMaterial::Abdomen};
  if (z > apexZ)
    return {kChestBody, ChestMaterial::Soft};
  if (z > taperZ) {
    const double t = (z - taperZ) / (apexZ - taperZ);
    if (cavity < 90 * t * t)
      return {kChestBody, ChestMaterial::Soft};
  }
  const double t = std::clamp((y + 60) / 110, 0.0, 1.0);
  const double halfWidth = mediastinumFront + (mediastinumBack - mediastinumFront) * t * t;
  if (std::abs(x - mediastinumX) < halfWidth)
    return {kChestFat, ChestMaterial::Fat};
  return {x < mediastinumX ? kChestLungRight : kChestLungLeft, ChestMaterial::Lung};
}

} // namespace lumen
