#include "segment/ChestAnatomy.h"

#include "segment/ChestCardiac.h"
#include "segment/ChestClasses.h"
#include "segment/ChestDraw.h"
#include "segment/ChestVectors.h"

#include <algorithm>
#include <cmath>

namespace lumen {
using namespace chest;
namespace {

constexpr ClassMask kSoftClasses = classBit(kChestBody) | classBit(kChestFat) |
                                   classBit(kChestMuscle) | classBit(kChestLungRight) |
                                   classBit(kChestLungLeft);

const std::array<Vec3, 3> kBodyAxes{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};

ChestPrimitive bone(ChestPrimitive p, double cortexMm) {
  p.shellMm = cortexMm;
  p.shellMaterial = ChestMaterial::Cortical;
  return p;
}

// A slab of a vertical ellipsoid between two heights (vertebral bodies, discs, the sternum).
ChestPrimitive slab(int label, ChestMaterial material, ClassMask over, Vec3 centre, Vec3 radii,
                    double bottom, double top) {
  ChestPrimitive p = chestEllipsoid(label, material, over, centre, kBodyAxes, radii);
  p.clips = {{Vec3{0, 0, 1}, top}, {Vec3{0, 0, -1}, -bottom}};
  p.lo[2] = std::max(p.lo[2], bottom);
  p.hi[2] = std::min(p.hi[2], top);
  return p;
}

double spineYAt(double spineY, double z) {
  // A gentle thoracic kyphosis: the mid-thoracic spine lies furthest back.
  return spineY + 6 * (1 - std::pow(std::clamp((z - 20) / 160, -1.0, 1.0), 2));
}

void addSpine(Draw& draw, const ChestLandmarks& marks, std::vector<ChestPrimitive>& out) {
  const double level = draw(27, 0.06), disc = level * 0.2;
  const Vec3 radii{draw(21, 0.08), draw(16, 0.08), level};
  const double canalY = 22, canalR = 7.5;
  out.push_back(chestCapsule(kChestBody, ChestMaterial::Csf, kSoftClasses,
                             {0, spineYAt(marks.spineY, marks.zLow) + canalY, marks.zLow - 40},
                             {0, spineYAt(marks.spineY, marks.zHigh) + canalY, marks.zHigh + 40},
                             canalR, canalR));
  const double phase = std::uniform_real_distribution<double>(0, level)(draw.rng);
  const ClassMask archOver = kSoftClasses & ~classBit(kChestBody);
  for (double z = marks.zLow - level + phase; z < marks.zHigh + level; z += level) {
    const double y = spineYAt(marks.spineY, z);
    const double bottom = z - level / 2, top = z + level / 2 - disc;
    out.push_back(bone(
        slab(kChestSpine, ChestMaterial::Cancellous, kSoftClasses, {0, y, z}, radii, bottom, top),
        1.5));
    out.push_back(
        slab(kChestBody, ChestMaterial::Disc, kSoftClasses, {0, y, z}, radii, top, top + disc));
    // The arch around the canal: pedicles, laminae meeting in the spinous process, which points
    // down and back; transverse processes where the ribs articulate.
    for (double side : {-1.0, 1.0}) {
      const Vec3 pedicle{side * 11, y + radii[1] * 0.6, z};
      const Vec3 lamina{side * 9, y + canalY + 6, z};
      out.push_back(bone(
          chestCapsule(kChestSpine, ChestMaterial::Cancellous, archOver, pedicle, lamina, 4.5, 4.0),
          1.2));
      out.push_back(bone(chestCapsule(kChestSpine, ChestMaterial::Cancellous, archOver, lamina,
                                      {0, y + canalY + 10, z}, 4.0, 4.0),
                         1.2));
      out.push_back(bone(chestCapsule(kChestSpine, ChestMaterial::Cancellous, archOver, lamina,
                                      {side * 30, y + canalY + 2, z + 2}, 4.5, 4.0),
                         1.2));
    }
    out.push_back(
        bone(chestCapsule(kChestSpine, ChestMaterial::Cancellous, archOver, {0, y + canalY + 10, z},
                          {0, y + canalY + 32, z - 10}, 4.5, 3.5),
             1.2));
  }
}

void addRibsAndSternum(Draw& draw, const ChestTorso& torso, const ChestLandmarks& marks,
                       std::vector<ChestPrimitive>& out) {
  const double radius = draw(4.5, 0.12), gap = draw(21, 0.06);
  const double top = torso.apexZ - draw(8, 0.5);
  const ClassMask over = kSoftClasses;
  double sternumTop = 0, sternumBottom = 0;
  for (int rib = 0; rib < 12; ++rib) {
    const double zBack = top - rib * gap;
    const double drop = draw(70 + 3 * rib, 0.15);
    // True ribs reach the front; the false and floating ones end further back.
    const double sweep = (rib < 7 ? 158 : rib < 10 ? 140 - 8 * (rib - 7) : 95) * kPi / 180;
    const double start = 24 * kPi / 180;
    if (rib == 1)
      sternumTop = zBack - drop;
    if (rib == 6)
      sternumBottom = zBack - drop;
    for (double side : {-1.0, 1.0}) {
      std::vector<Vec3> points;
      const int samples = 18;
      for (int s = 0; s < samples; ++s) {
        const double t = double(s) / (samples - 1);
        // Angles from the back (pi/2) around the flank: the right side through pi, the left
        // through 0.
        const double angle = kPi / 2 - side * (start + t * sweep);
        const double z = zBack - drop * t;
        points.push_back(
            torso.pointBelowSkin(angle, z, torso.wallDepth(angle) + radius + 0.5 - 4 * t * t));
      }
      // The head of the rib at the transverse process beside the vertebral body.
      points.insert(points.begin(), Vec3{side * 24, spineYAt(marks.spineY, zBack) + 16, zBack});
      for (size_t s = 0; s + 1 < points.size(); ++s)
        out.push_back(bone(chestCapsule(kChestRibs, ChestMaterial::Cancellous, over, points[s],
                                        points[s + 1], radius, radius),
                           1.1));
    }
  }
  const double front = -torso.halfDepth + torso.wallDepth(-kPi / 2) + 5;
  const double height = sternumTop - sternumBottom + 30;
  out.push_back(bone(slab(kChestRibs, ChestMaterial::Cancellous, over,
                          {0, front, (sternumTop + sternumBottom) / 2},
                          {draw(17, 0.1), draw(6.5, 0.1), height / 2 + 20}, sternumBottom - 15,
                          sternumTop + 15),
                     1.5));
}

void addAirwaysAndOesophagus(Draw& draw, const ChestLandmarks& marks,
                             std::vector<ChestPrimitive>& out) {
  const double r = draw(8.5, 0.12);
  const ClassMask over = kSoftClasses;
  const Vec3 top{marks.tracheaX, marks.tracheaY, marks.zHigh + 30};
  const Vec3 carina{marks.tracheaX + 2, marks.tracheaY + 4, marks.archZ - draw(28, 0.15)};
  const Vec3 rightMain = carina + Vec3{-draw(42, 0.1), 6, -draw(22, 0.2)};
  const Vec3 leftMain = carina + Vec3{draw(48, 0.1), 8, -draw(38, 0.2)};
  const double rr = r * 0.78, rl = r * 0.7;
  // The cartilage wall first, then the air inside it.
  out.push_back(chestCapsule(kChestBody, ChestMaterial::Soft, over, top, carina, r + 2, r + 2));
  out.push_back(
      chestCapsule(kChestBody, ChestMaterial::Soft, over, carina, rightMain, rr + 2, rr + 1.5));
  out.push_back(
      chestCapsule(kChestBody, ChestMaterial::Soft, over, carina, leftMain, rl + 2, rl + 1.5));
  const ClassMask lumenOver = over | classBit(kChestAirways);
  out.push_back(chestCapsule(kChestAirways, ChestMaterial::Air, lumenOver, top, carina, r, r));
  out.push_back(
      chestCapsule(kChestAirways, ChestMaterial::Air, lumenOver, carina, rightMain, rr, rr * 0.9));
  out.push_back(
      chestCapsule(kChestAirways, ChestMaterial::Air, lumenOver, carina, leftMain, rl, rl * 0.9));
  const double oesophagus = draw(7, 0.15);
  const Vec3 upper{marks.tracheaX + 8, spineYAt(marks.spineY, marks.zHigh) - 27, marks.zHigh + 30};
  const Vec3 middle{marks.tracheaX + 10, spineYAt(marks.spineY, 0) - 28, 0};
  const Vec3 lower{marks.tracheaX + 30, spineYAt(marks.spineY, -90) - 40, -90};
  out.push_back(
      chestCapsule(kChestBody, ChestMaterial::Soft, over, upper, middle, oesophagus, oesophagus));
  out.push_back(
      chestCapsule(kChestBody, ChestMaterial::Soft, over, middle, lower, oesophagus, oesophagus));
}

} // namespace

ChestAnatomy makeChestAnatomy(std::mt19937_64& rng, double zLow, double zHigh) {
  Draw draw{rng};
  ChestAnatomy anatomy;
  ChestTorso& t = anatomy.torso;
  t.halfWidth = draw(160, 0.08);
  t.halfDepth = draw(112, 0.08);
  t.exponent = draw(2.4, 0.08);
  t.fatMm = draw(14, 0.45);
  t.muscleMm = draw(10, 0.2);
  t.backMuscleMm = draw(30, 0.2);
  t.pectoralMm = draw(13, 0.3);
  t.mediastinumX = draw(6, 0.5);
  t.mediastinumFront = draw(4, 0.3);
  t.mediastinumBack = draw(18, 0.15);
  t.domeRightZ = draw(-55, 0.15);
  t.domeLeftZ = t.domeRightZ - draw(14, 0.5);
  t.taperZ = draw(70, 0.15);
  t.apexZ = draw(150, 0.06);
  t.prepare();

  ChestLandmarks marks;
  marks.zLow = zLow;
  marks.zHigh = zHigh;
  marks.spineY = t.halfDepth - t.wallDepth(kPi / 2) + 4;
  marks.archZ = draw(88, 0.1);
  marks.tracheaX = draw(-6, 0.3);
  marks.tracheaY = marks.spineY - draw(40, 0.08);

  ChestContrast& c = anatomy.contrast;
  c.nativeBlood = draw(42, 0.12);
  c.aorta = draw(390, 0.1);
  c.leftHeart = c.aorta * draw(0.96, 0.03);
  c.coronaries = c.aorta * draw(0.92, 0.04);
  c.rightHeart = draw(240, 0.18);
  c.pulmonary = c.rightHeart * draw(1.08, 0.04);
  c.myocardium = draw(125, 0.16);

  addSpine(draw, marks, anatomy.primitives);
  addRibsAndSternum(draw, t, marks, anatomy.primitives);
  addChestCardiac(rng, t, marks, anatomy.primitives);
  addAirwaysAndOesophagus(draw, marks, anatomy.primitives);
  return anatomy;
}

} // namespace lumen
