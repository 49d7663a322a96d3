#include "shapes/SyntheticHeart.h"

#include "common/Error.h"
#include "common/Job.h"
#include "io/NiftiIO.h"
#include "shapes/HeartClasses.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>

namespace lumen {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct Mat3 {
  double m[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  Vec3 operator*(const Vec3& v) const {
    return {m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
            m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
            m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2]};
  }
  Mat3 operator*(const Mat3& o) const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        r.m[i][j] = m[i][0] * o.m[0][j] + m[i][1] * o.m[1][j] + m[i][2] * o.m[2][j];
    return r;
  }
  Mat3 transposed() const {
    Mat3 r;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        r.m[i][j] = m[j][i];
    return r;
  }
};

Mat3 rotation(int axis, double radians) {
  Mat3 r;
  const double c = std::cos(radians), s = std::sin(radians);
  const int a = (axis + 1) % 3, b = (axis + 2) % 3;
  r.m[a][a] = c;
  r.m[a][b] = -s;
  r.m[b][a] = s;
  r.m[b][b] = c;
  return r;
}

Vec3 add(const Vec3& a, const Vec3& b) {
  return {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
}
Vec3 sub(const Vec3& a, const Vec3& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}
Vec3 scale(const Vec3& a, double s) {
  return {a[0] * s, a[1] * s, a[2] * s};
}
double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

// A shape in heart-local millimetres: x towards the patient's left, y posterior, z from apex to
// base (the base plane is z = 0). `inside` decides membership; `lo`/`hi` bound it.
struct Shape {
  int label;
  Vec3 lo, hi;
  std::function<bool(const Vec3&)> inside;
  bool overwrite = false; // paint over other labels (the LV cavity carves the myocardium)
};

// Ellipsoid with low-frequency radial bumps, optionally cut by a plane z <= zMax.
Shape ellipsoid(int label, Vec3 c, Vec3 r, double bump, double phase, double zMax = 1e9) {
  Shape s;
  s.label = label;
  const double grow = 1.0 + std::abs(bump);
  s.lo = {c[0] - r[0] * grow, c[1] - r[1] * grow, c[2] - r[2] * grow};
  s.hi = {c[0] + r[0] * grow, c[1] + r[1] * grow, std::min(zMax, c[2] + r[2] * grow)};
  s.inside = [=](const Vec3& p) {
    if (p[2] > zMax)
      return false;
    const Vec3 q{(p[0] - c[0]) / r[0], (p[1] - c[1]) / r[1], (p[2] - c[2]) / r[2]};
    const double rho2 = dot(q, q);
    const double azimuth = std::atan2(q[1], q[0]);
    const double elevation = std::atan2(q[2], std::hypot(q[0], q[1]));
    const double radius =
        1.0 + bump * (0.6 * std::sin(2 * azimuth + phase) + 0.4 * std::cos(3 * elevation + phase));
    return rho2 <= radius * radius;
  };
  return s;
}

// A tube along a polyline with linearly varying radius, as one shape per segment.
void tube(std::vector<Shape>& shapes, int label, const std::vector<Vec3>& points,
          const std::vector<double>& radii) {
  for (size_t k = 0; k + 1 < points.size(); ++k) {
    const Vec3 a = points[k], b = points[k + 1];
    const double ra = radii[k], rb = radii[k + 1], rmax = std::max(ra, rb);
    Shape s;
    s.label = label;
    for (int d = 0; d < 3; ++d) {
      s.lo[size_t(d)] = std::min(a[size_t(d)], b[size_t(d)]) - rmax;
      s.hi[size_t(d)] = std::max(a[size_t(d)], b[size_t(d)]) + rmax;
    }
    const Vec3 ab = sub(b, a);
    const double length2 = std::max(1e-9, dot(ab, ab));
    s.inside = [=](const Vec3& p) {
      const double u = std::clamp(dot(sub(p, a), ab) / length2, 0.0, 1.0);
      const Vec3 closest = add(a, scale(ab, u));
      const Vec3 d = sub(p, closest);
      const double r = ra + (rb - ra) * u;
      return dot(d, d) <= r * r;
    };
    shapes.push_back(std::move(s));
  }
}

// A curve on the outer surface of a z-aligned ellipsoid (centre c, radii r), pushed outwards.
std::vector<Vec3> surfaceCurve(Vec3 c, Vec3 r, double outward, int samples,
                               const std::function<std::pair<double, double>(double)>& path) {
  std::vector<Vec3> points;
  for (int k = 0; k < samples; ++k) {
    const auto [z, azimuth] = path(double(k) / (samples - 1));
    const double h = std::clamp((z - c[2]) / r[2], -0.98, 0.98);
    const double ring = std::sqrt(1 - h * h);
    const double px = (r[0] * ring + outward) * std::cos(azimuth);
    const double py = (r[1] * ring + outward) * std::sin(azimuth);
    points.push_back({c[0] + px, c[1] + py, z});
  }
  return points;
}

std::vector<Shape> heartShapes(std::mt19937_64& rng, const SyntheticHeartOptions& o) {
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  auto vary = [&](double value) { return value * (1.0 + o.shapeVariation * unit(rng)); };
  auto bump = [&] { return o.shapeVariation * (0.5 + 0.5 * unit(rng)); };
  auto phase = [&] { return kPi * unit(rng); };
  std::vector<Shape> shapes;

  const Vec3 lvRadii{vary(22), vary(20), vary(50)};
  const double wall = vary(9);
  const Vec3 epiRadii{lvRadii[0] + wall, lvRadii[1] + wall, lvRadii[2] + wall * 1.1};
  shapes.push_back(ellipsoid(kMyocardium, {0, 0, 0}, epiRadii, bump() * 0.5, phase(), 0.0));
  Shape lv = ellipsoid(kLeftVentricle, {0, 0, 0}, lvRadii, bump() * 0.5, phase(), 0.0);
  lv.overwrite = true;
  shapes.push_back(lv);
  const Vec3 rvCentre{-vary(28), -vary(8), -vary(12)};
  const Vec3 rvRadii{vary(24), vary(22), vary(38)};
  shapes.push_back(ellipsoid(kRightVentricle, rvCentre, rvRadii, bump(), phase(), 0.0));
  const Vec3 laCentre{vary(4), vary(18), vary(16)};
  shapes.push_back(
      ellipsoid(kLeftAtrium, laCentre, {vary(24), vary(18), vary(17)}, bump(), phase()));
  shapes.push_back(ellipsoid(kRightAtrium, {-vary(32), vary(10), vary(18)},
                             {vary(22), vary(20), vary(22)}, bump(), phase()));
  // Aorta: root with the cusp bulb at the LV outflow, ascending, arch, descending.
  const double ao = vary(11);
  tube(shapes, kAorta,
       {{4, -8, -4},
        {4, -9, 8},
        {4, -10, 25},
        {8, -6, 55},
        {20, 18, 70},
        {30, 48, 58},
        {30, 58, 20},
        {29, 60, -40}},
       {ao * 1.4, ao * 1.35, ao, ao, ao, ao * 0.95, ao * 0.9, ao * 0.9});
  // Pulmonary trunk from the RV outflow tract, then left and right branches.
  const double pa = vary(11);
  const Vec3 bifurcation{-2, -22, 42};
  tube(shapes, kPulmonaryArtery, {{-16, -30, -2}, {-10, -33, 22}, bifurcation},
       {pa, pa, pa * 0.95});
  tube(shapes, kPulmonaryArtery, {bifurcation, {22, -6, 50}, {46, 8, 44}},
       {pa * 0.8, pa * 0.75, pa * 0.65});
  tube(shapes, kPulmonaryArtery, {bifurcation, {-12, 4, 44}, {-42, 12, 42}},
       {pa * 0.8, pa * 0.75, pa * 0.65});
  shapes.push_back(ellipsoid(kLeftAtrialAppendage, {vary(27), vary(1), vary(24)},
                             {vary(11), vary(7), vary(8)}, bump(), phase()));
  // Pulmonary veins: two left, two right, entering the back of the LA.
  const double pv = vary(6);
  for (const Vec3& end :
       std::vector<Vec3>{{30, 44, 32}, {28, 46, 10}, {-22, 44, 32}, {-20, 46, 10}})
    tube(shapes, kPulmonaryVeins, {laCentre, end}, {pv, pv});
  // Coronaries on the epicardium, from ostia on the aortic root.
  const double cor = vary(1.9);
  const auto lad = surfaceCurve({0, 0, 0}, epiRadii, cor, 12, [&](double s) {
    return std::pair{-2.0 - s * epiRadii[2] * 0.95, std::atan2(-0.85, -0.45)};
  });
  const auto lcx = surfaceCurve({0, 0, 0}, epiRadii, cor, 12, [&](double s) {
    return std::pair{-4.0 - s * 10.0, -1.2 + s * 2.6};
  });
  const auto rca = surfaceCurve(rvCentre, rvRadii, cor, 14, [&](double s) {
    return std::pair{-2.0 - s * 12.0, -1.9 - s * 2.6};
  });
  tube(shapes, kCoronaryArteries, {{6, -12, 4}, {-2, -20, 0}, lad.front()},
       {cor * 1.2, cor * 1.2, cor});
  tube(shapes, kCoronaryArteries, {{-2, -20, 0}, lcx.front()}, {cor * 1.1, cor});
  tube(shapes, kCoronaryArteries, {{-4, -14, 2}, rca.front()}, {cor * 1.1, cor});
  tube(shapes, kCoronaryArteries, lad, std::vector<double>(lad.size(), cor));
  tube(shapes, kCoronaryArteries, lcx, std::vector<double>(lcx.size(), cor));
  tube(shapes, kCoronaryArteries, rca, std::vector<double>(rca.size(), cor));
  return shapes;
}

} // namespace

LabelVolume makeSyntheticHeart(uint64_t seed, const SyntheticHeartOptions& options) {
  for (double s : options.spacing)
    if (!(s > 0.05 && s < 20))
      throw InputError("synthetic heart spacing must be between 0.05 and 20 mm, got " +
                       std::to_string(s));
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 17);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  const std::vector<Shape> shapes = heartShapes(rng, options);
  // Pose: the long axis points from the base towards the patient's left, anterior and inferior
  // (about 45° from each body axis), with a random twist and tilt.
  const double size = 1.0 + options.sizeVariation * unit(rng);
  const double pose = options.poseVariationDeg * kPi / 180.0;
  const Mat3 toBody = rotation(2, -kPi / 4 + pose * unit(rng)) *
                      rotation(0, -kPi / 4 + pose * unit(rng)) * rotation(1, pose * unit(rng));
  const Mat3 toLocal = toBody.transposed();
  auto bodyOf = [&](const Vec3& local) { return toBody * scale(local, size); };
  auto localOf = [&](const Vec3& body) { return scale(toLocal * body, 1.0 / size); };

  // The grid covers every shape's rotated bounding box plus the margin.
  Vec3 lo{1e9, 1e9, 1e9}, hi{-1e9, -1e9, -1e9};
  for (const Shape& s : shapes)
    for (int corner = 0; corner < 8; ++corner) {
      const Vec3 p = bodyOf({corner & 1 ? s.hi[0] : s.lo[0], corner & 2 ? s.hi[1] : s.lo[1],
                             corner & 4 ? s.hi[2] : s.lo[2]});
      for (int d = 0; d < 3; ++d) {
        lo[size_t(d)] = std::min(lo[size_t(d)], p[size_t(d)]);
        hi[size_t(d)] = std::max(hi[size_t(d)], p[size_t(d)]);
      }
    }
  LabelVolume volume;
  ImageGeometry& g = volume.geometry;
  g.spacing = options.spacing;
  for (size_t d = 0; d < 3; ++d) {
    lo[d] -= options.marginMm;
    hi[d] += options.marginMm;
    g.size[d] = int64_t(std::ceil((hi[d] - lo[d]) / g.spacing[d])) + 1;
    g.origin[d] = lo[d];
  }
  volume.values.assign(g.voxels(), 0);
  for (const Shape& s : shapes) {
    // The voxels of the shape's rotated bounding box.
    std::array<int64_t, 3> first{g.size}, last{-1, -1, -1};
    for (int corner = 0; corner < 8; ++corner) {
      const Vec3 index =
          g.physicalToIndex(bodyOf({corner & 1 ? s.hi[0] : s.lo[0], corner & 2 ? s.hi[1] : s.lo[1],
                                    corner & 4 ? s.hi[2] : s.lo[2]}));
      for (size_t d = 0; d < 3; ++d) {
        first[d] = std::min(first[d], int64_t(std::floor(index[d])));
        last[d] = std::max(last[d], int64_t(std::ceil(index[d])));
      }
    }
    for (size_t d = 0; d < 3; ++d) {
      first[d] = std::max<int64_t>(first[d], 0);
      last[d] = std::min<int64_t>(last[d], g.size[d] - 1);
    }
    for (int64_t k = first[2]; k <= last[2]; ++k)
      for (int64_t j = first[1]; j <= last[1]; ++j)
        for (int64_t i = first[0]; i <= last[0]; ++i) {
          int32_t& label = volume.at(i, j, k);
          if (label != 0 && !s.overwrite)
            continue;
          const Vec3 local = localOf(g.indexToPhysical({double(i), double(j), double(k)}));
          if (s.inside(local))
            label = s.label;
        }
  }
  return volume;
}

std::vector<std::string> writeSyntheticHearts(const std::string& outDir, int cases, uint64_t seed,
                                              const SyntheticHeartOptions& options, Job* job) {
  if (cases < 1)
    throw InputError("--cases must be at least 1, got " + std::to_string(cases));
  std::filesystem::create_directories(outDir);
  std::vector<std::string> paths;
  for (int c = 0; c < cases; ++c) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(c) / cases,
                       "heart " + std::to_string(c + 1) + "/" + std::to_string(cases));
    }
    char name[32];
    std::snprintf(name, sizeof name, "heart_%03d.nii.gz", c);
    const std::string path = (std::filesystem::path(outDir) / name).string();
    writeLabelVolume(path, makeSyntheticHeart(seed + uint64_t(c), options));
    paths.push_back(path);
  }
  if (job)
    job->setProgress(1.0, "done");
  return paths;
}

} // namespace lumen
