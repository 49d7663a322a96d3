#include "segment/ChestCardiac.h"

#include "segment/ChestClasses.h"
#include "segment/ChestDraw.h"
#include "segment/ChestVectors.h"

#include <algorithm>
#include <cmath>

namespace lumen {
using namespace chest;
namespace {

constexpr ClassMask kLungs = classBit(kChestLungRight) | classBit(kChestLungLeft);
constexpr ClassMask kMediastinum = classBit(kChestBody) | classBit(kChestFat) | kLungs;

// The heart's own frame: e3 from the apex towards the base, e1 towards the lateral LV wall, e2
// roughly posterior; local (x, y, z) lies at base + x e1 + y e2 + z e3.
struct HeartFrame {
  Vec3 base, e1, e2, e3;
  double size = 1;
  Vec3 at(const Vec3& local) const {
    return base + (e1 * local[0] + e2 * local[1] + e3 * local[2]) * size;
  }
  std::array<Vec3, 3> axes() const { return {e1, e2, e3}; }
};

HeartFrame heartFrame(Draw& draw) {
  HeartFrame f;
  f.size = draw(1.25, 0.1);
  f.base = {draw(12, 0.4), draw(-8, 0.4), draw(-4, 1) - draw(4, 1)};
  // The long axis points from the base to the left, forwards and down, about 45° from each body
  // axis, with a random tilt.
  Vec3 apex = normalized({0.62, -0.52, -0.58});
  apex = rotated(apex, {0, 0, 1}, draw.uniform(-0.2, 0.2));
  apex = rotated(apex, {1, 0, 0}, draw.uniform(-0.15, 0.15));
  f.e3 = apex * -1.0;
  Vec3 left{1, 0.3, 0};
  f.e1 = normalized(left - f.e3 * dot(left, f.e3));
  f.e2 = cross(f.e3, f.e1);
  if (f.e2[1] < 0)
    f.e2 = f.e2 * -1.0;
  return f;
}

// A chamber as an ellipsoid in the heart frame, cut at the local height zMax; with a rim of fat
// painted first so that chambers sit in epicardial fat, not directly against the lungs.
struct Chamber {
  int label;
  ChestMaterial material;
  Vec3 centre, radii;
  double zMax;
};

ChestPrimitive chamberSolid(const HeartFrame& f, const Chamber& c, double grow, int label,
                            ChestMaterial material, ClassMask over) {
  const Vec3 radii{(c.radii[0] + grow) * f.size, (c.radii[1] + grow) * f.size,
                   (c.radii[2] + grow) * f.size};
  ChestPrimitive p = chestEllipsoid(label, material, over, f.at(c.centre), f.axes(), radii);
  if (c.zMax < 1e8)
    p.clips.push_back({f.e3, dot(f.e3, f.at({0, 0, c.zMax + grow}))});
  return p;
}

void tube(std::vector<ChestPrimitive>& out, int label, ClassMask over,
          const std::vector<Vec3>& points, const std::vector<double>& radii,
          ChestMaterial material = ChestMaterial::Blood) {
  for (size_t k = 0; k + 1 < points.size(); ++k)
    out.push_back(
        chestCapsule(label, material, over, points[k], points[k + 1], radii[k], radii[k + 1]));
}

// A point `outward` mm outside a chamber's surface at local height z and azimuth.
Vec3 onSurface(const HeartFrame& f, const Chamber& c, double z, double azimuth, double outward) {
  const double h = std::clamp((z - c.centre[2]) / c.radii[2], -0.97, 0.97);
  const double ring = std::sqrt(1 - h * h);
  return f.at({c.centre[0] + (c.radii[0] * ring + outward) * std::cos(azimuth),
               c.centre[1] + (c.radii[1] * ring + outward) * std::sin(azimuth), z});
}

// Pulmonary artery branches: each splits in two thinner, shorter children at a random angle,
// down to vessels of about a millimetre. They paint inside the lungs only.
void branch(Draw& draw, std::vector<ChestPrimitive>& out, Vec3 from, Vec3 direction, double length,
            double radius, int depth) {
  const Vec3 to = from + direction * length;
  out.push_back(chestCapsule(kChestPulmonaryVessels, ChestMaterial::Blood, kLungs, from, to, radius,
                             radius * 0.85));
  if (depth == 0 || radius < 1.0)
    return;
  Vec3 normal = normalized(cross(direction, {draw.uniform(-1, 1), draw.uniform(-1, 1), 1}));
  normal = rotated(normal, direction, draw.uniform(0, kPi));
  for (double side : {-1.0, 1.0}) {
    const double angle = side * draw.uniform(0.3, 0.6);
    const Vec3 child = normalized(rotated(direction, normal, angle));
    branch(draw, out, to, child, length * draw(0.8, 0.15), radius * draw(0.74, 0.08), depth - 1);
  }
}

} // namespace

void addChestCardiac(std::mt19937_64& rng, const ChestTorso& torso, const ChestLandmarks& marks,
                     std::vector<ChestPrimitive>& out) {
  Draw draw{rng};
  const HeartFrame f = heartFrame(draw);
  const double wall = draw(9, 0.15);
  const Chamber lv{
      kChestLV, ChestMaterial::Blood, {0, 0, 0}, {draw(22, 0.1), draw(20, 0.1), draw(52, 0.1)}, 0};
  const Chamber myo{kChestMyocardium,
                    ChestMaterial::Myocardium,
                    {0, 0, 0},
                    {lv.radii[0] + wall, lv.radii[1] + wall, lv.radii[2] + wall * 1.1},
                    2};
  const Chamber rv{kChestRV,
                   ChestMaterial::Blood,
                   {draw(-25, 0.1), draw(-16, 0.15), -12},
                   {draw(24, 0.1), draw(21, 0.1), draw(40, 0.1)},
                   0};
  const Chamber la{kChestLA,
                   ChestMaterial::Blood,
                   {draw(4, 0.5), draw(22, 0.1), draw(18, 0.1)},
                   {draw(24, 0.1), draw(17, 0.1), draw(18, 0.1)},
                   1e9};
  const Chamber ra{kChestRA,
                   ChestMaterial::Blood,
                   {draw(-34, 0.1), draw(8, 0.3), draw(16, 0.1)},
                   {draw(22, 0.1), draw(21, 0.1), draw(23, 0.1)},
                   1e9};
  for (const Chamber* c : {&myo, &rv, &la, &ra})
    out.push_back(chamberSolid(f, *c, draw(5, 0.3), kChestFat, ChestMaterial::Fat, kMediastinum));
  const ClassMask chamberOver = kMediastinum | classBit(kChestMuscle);
  out.push_back(chamberSolid(f, myo, 0, myo.label, myo.material, chamberOver));
  out.push_back(
      chamberSolid(f, lv, 0, lv.label, lv.material, chamberOver | classBit(kChestMyocardium)));
  for (const Chamber* c : {&rv, &la, &ra})
    out.push_back(chamberSolid(f, *c, 0, c->label, c->material, chamberOver));

  // Aorta: the root with its sinus bulb at the LV outflow, ascending to the right and forwards,
  // the arch over to the left of the trachea, then down in front of and left of the spine, through
  // the diaphragm into the abdomen. One tube: consecutive segments share their ends.
  const double ao = draw(14, 0.12);
  const Vec3 root = f.at({-4, -6, -3});
  const Vec3 sinus = f.at({-5, -7, 12});
  const Vec3 ascending{sinus[0] - draw(13, 0.2), sinus[1] - draw(8, 0.3), sinus[2] + 38};
  const double archZ = std::max(marks.archZ, ascending[2] + 25);
  const Vec3 archStart{marks.tracheaX - 2, marks.tracheaY - 30, archZ - 14};
  const Vec3 archTop{marks.tracheaX + 12, marks.tracheaY - 10, archZ};
  const double descX = marks.tracheaX + draw(30, 0.1);
  const Vec3 archEnd{descX, marks.spineY - 30, archZ - 12};
  std::vector<Vec3> aorta{root, sinus, ascending, archStart, archTop, archEnd};
  std::vector<double> radii{ao * 1.15, ao * 1.2, ao * 1.05, ao * 0.95, ao * 0.9, ao * 0.85};
  for (double z = archZ - 45; z > marks.zLow - 40; z -= 30) {
    // Beside the spine in the chest, moving in front of it towards the aortic hiatus.
    const double hiatus = std::clamp((torso.domeLeftZ - z) / 80, 0.0, 1.0);
    aorta.push_back({descX - 16 * hiatus, marks.spineY - 24 - 4 * hiatus, z});
    radii.push_back(ao * (0.82 - 0.08 * hiatus));
  }
  const ClassMask vesselOver = kMediastinum | classBit(kChestMuscle);
  for (size_t k = 0; k + 1 < aorta.size(); ++k)
    out.push_back(chestCapsule(kChestFat, ChestMaterial::Fat, kLungs, aorta[k], aorta[k + 1],
                               radii[k] + 3, radii[k + 1] + 3));
  tube(out, kChestAorta, vesselOver, aorta, radii);

  // Pulmonary trunk from the RV outflow up and back, left of the ascending aorta, splitting
  // under the arch into the right artery (behind the ascending aorta) and the left one.
  const double pa = draw(13, 0.12);
  const Vec3 outflow = f.at({rv.centre[0] + 12, rv.centre[1] - 8, -2});
  const Vec3 trunk = outflow + Vec3{draw(6, 0.4), draw(14, 0.2), draw(26, 0.15)};
  const Vec3 split = trunk + Vec3{draw(4, 0.5), draw(16, 0.2), draw(12, 0.3)};
  const Vec3 rightHilum{-draw(62, 0.1), marks.tracheaY + draw(6, 0.5), split[2] - draw(8, 0.5)};
  const Vec3 behindAorta{ascending[0] + 4, ascending[1] + ao + pa * 0.8 + 4, split[2] - 4};
  const Vec3 leftHilum{draw(64, 0.1), marks.tracheaY + draw(10, 0.4), split[2] + draw(2, 1)};
  const std::vector<std::vector<Vec3>> arteries{
      {outflow, trunk, split}, {split, behindAorta, rightHilum}, {split, leftHilum}};
  const std::vector<std::vector<double>> arteryRadii{
      {pa, pa, pa * 0.95}, {pa * 0.75, pa * 0.72, pa * 0.65}, {pa * 0.75, pa * 0.65}};
  for (size_t a = 0; a < arteries.size(); ++a)
    tube(out, kChestPulmonaryArtery, vesselOver, arteries[a], arteryRadii[a]);

  // Lobar trees from each hilum: up, out, down and back, down and forwards.
  const double lobar = pa * 0.45;
  for (double side : {-1.0, 1.0}) {
    const Vec3 hilum = side < 0 ? rightHilum : leftHilum;
    for (const Vec3& d : {Vec3{0.3, 0.1, 0.9}, Vec3{0.6, -0.5, 0.5}, Vec3{1, 0.05, 0.1},
                          Vec3{0.45, 0.45, -0.75}, Vec3{0.45, -0.6, -0.6}, Vec3{0.3, 0.2, -0.9}}) {
      const Vec3 direction = normalized({side * d[0], d[1], d[2]});
      branch(draw, out, hilum, direction, draw(36, 0.15), lobar * draw(1, 0.1), 6);
    }
  }

  // Coronaries in the epicardial fat, from ostia on the aortic root: the left main splitting
  // into the LAD (down the anterior interventricular groove) and the circumflex (around the
  // left AV groove), and the RCA around the right AV groove.
  const double cor = draw(1.9, 0.15);
  const ClassMask corOver = kMediastinum | classBit(kChestMyocardium);
  const Vec3 ostium = f.at({-1, -8, 4});
  const double ladAzimuth = draw(-2.05, 0.06);
  std::vector<Vec3> lad{ostium}, lcx, rca{f.at({-10, -12, 4})};
  lcx.push_back(onSurface(f, myo, -3, ladAzimuth + 0.4, cor + 1));
  for (int s = 0; s <= 10; ++s) {
    const double t = s / 10.0;
    lad.push_back(onSurface(f, myo, -3 - t * myo.radii[2] * 0.9, ladAzimuth, cor + 1));
    lcx.push_back(onSurface(f, myo, -4 - 6 * t, ladAzimuth + 0.4 + t * 3.0, cor + 1));
    rca.push_back(onSurface(f, rv, -3 - 8 * t, -1.3 - t * 3.4, cor + 1));
  }
  lcx.insert(lcx.begin(), lad[1]);
  tube(out, kChestCoronaries, corOver, lad, std::vector<double>(lad.size(), cor));
  tube(out, kChestCoronaries, corOver, lcx, std::vector<double>(lcx.size(), cor * 0.9));
  tube(out, kChestCoronaries, corOver, rca, std::vector<double>(rca.size(), cor));
}

} // namespace lumen
