#include "shapes/ShapePreparation.h"

#include "common/Error.h"
#include "shapes/DistanceTransform.h"
#include "shapes/SurfaceMesh.h"
#include "shapes/UnknownLabels.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

namespace lumen {

Volume<uint8_t> mapClasses(const LabelVolume& labels, const ClassMap& map) {
  Volume<uint8_t> classes;
  classes.geometry = labels.geometry;
  classes.values.resize(labels.values.size());
  std::map<int32_t, uint8_t> cache;
  std::map<int32_t, size_t> unknown;
  for (size_t i = 0; i < labels.values.size(); ++i) {
    const int32_t value = labels.values[i];
    if (value == 0) {
      classes.values[i] = 0;
      continue;
    }
    auto it = cache.find(value);
    if (it == cache.end()) {
      const auto known = map.valueToClass.find(value);
      if (known == map.valueToClass.end()) {
        ++unknown[value];
        classes.values[i] = 0;
        continue;
      }
      it = cache.emplace(value, uint8_t(known->second)).first;
    }
    classes.values[i] = it->second;
  }
  if (!unknown.empty())
    throw InputError(describeUnknownLabels(unknown, map));
  return classes;
}

void requirePreparationGrid(int n) {
  if (n < kMinPreparationGrid || n > kMaxPreparationGrid)
    throw InputError("the distance-field grid must have " + std::to_string(kMinPreparationGrid) +
                     " to " + std::to_string(kMaxPreparationGrid) + " samples per axis, got " +
                     std::to_string(n) +
                     " (each case keeps 10 float fields of n^3 values while it is prepared, one "
                     "case per core: 256 is 640 MB per case, 1024 would be 40 GB)");
}

ClassGrid resampleToFrame(const Volume<uint8_t>& classes, const ShapeFrame& frame, int n) {
  requirePreparationGrid(n);
  ClassGrid grid;
  grid.n = n;
  grid.labels.assign(size_t(n) * size_t(n) * size_t(n), 0);
  const ImageGeometry& g = classes.geometry;
  const double step = grid.step();
  // Index = A * normalised + b is affine: evaluate it incrementally along x.
  const Vec3 base = g.physicalToIndex(frame.toMm({-1, -1, -1}));
  auto axis = [&](int d) {
    Vec3 unit{-1, -1, -1};
    unit[size_t(d)] += step;
    const Vec3 p = g.physicalToIndex(frame.toMm(unit));
    return Vec3{p[0] - base[0], p[1] - base[1], p[2] - base[2]};
  };
  const Vec3 ax = axis(0), ay = axis(1), az = axis(2);
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j) {
      Vec3 index{base[0] + j * ay[0] + k * az[0], base[1] + j * ay[1] + k * az[1],
                 base[2] + j * ay[2] + k * az[2]};
      uint8_t* row = grid.labels.data() + (size_t(k) * size_t(n) + size_t(j)) * size_t(n);
      for (int i = 0; i < n; ++i) {
        const int64_t vi = std::llround(index[0]), vj = std::llround(index[1]),
                      vk = std::llround(index[2]);
        if (g.contains(vi, vj, vk))
          row[i] = classes.at(vi, vj, vk);
        index = {index[0] + ax[0], index[1] + ax[1], index[2] + ax[2]};
      }
    }
  return grid;
}

ClassDistanceFields computeDistanceFields(const ClassGrid& grid) {
  ClassDistanceFields fields;
  fields.n = grid.n;
  const std::array<int64_t, 3> size{grid.n, grid.n, grid.n};
  const double h = grid.step();
  std::vector<uint8_t> mask(grid.labels.size());
  for (int c = 1; c <= kHeartClasses; ++c) {
    bool any = false;
    for (size_t i = 0; i < mask.size(); ++i) {
      mask[i] = grid.labels[i] == c;
      any = any || mask[i];
    }
    if (any)
      fields.sdf[size_t(c - 1)] = signedDistance(mask, size, {h, h, h});
  }
  return fields;
}

float ClassDistanceFields::at(int label, const Vec3& p) const {
  const std::vector<float>& field = sdf[size_t(label - 1)];
  if (field.empty())
    return kAbsentClassDistance;
  const double step = 2.0 / double(n - 1);
  double outside = 0; // distance from p to the grid's cube when p lies beyond it
  int64_t cell[3];
  double frac[3];
  for (size_t d = 0; d < 3; ++d) {
    const double clamped = std::clamp(p[d], -1.0, 1.0);
    outside += (p[d] - clamped) * (p[d] - clamped);
    const double u = (clamped + 1.0) / step;
    cell[d] = std::min<int64_t>(int64_t(u), n - 2);
    frac[d] = u - double(cell[d]);
  }
  auto value = [&](int64_t i, int64_t j, int64_t k) {
    return double(field[size_t((k * n + j) * n + i)]);
  };
  double result = 0;
  for (int corner = 0; corner < 8; ++corner) {
    const int dx = corner & 1, dy = (corner >> 1) & 1, dz = (corner >> 2) & 1;
    const double w =
        (dx ? frac[0] : 1 - frac[0]) * (dy ? frac[1] : 1 - frac[1]) * (dz ? frac[2] : 1 - frac[2]);
    result += w * value(cell[0] + dx, cell[1] + dy, cell[2] + dz);
  }
  return float(result + std::sqrt(outside));
}

namespace {

// Surface point budget per class: proportional to area, at least `minimum` for every present
// class, summing to `total`.
std::array<size_t, kHeartClasses> allocatePoints(const std::array<double, kHeartClasses>& area,
                                                 size_t total, size_t minimum) {
  std::array<size_t, kHeartClasses> count{};
  const double sum = std::accumulate(area.begin(), area.end(), 0.0);
  size_t present = 0;
  for (double a : area)
    present += a > 0;
  if (present == 0 || sum <= 0)
    return count;
  minimum = std::min(minimum, total / present);
  const size_t spare = total - minimum * present;
  size_t assigned = 0;
  for (size_t c = 0; c < area.size(); ++c)
    if (area[c] > 0) {
      count[c] = minimum + size_t(std::floor(double(spare) * area[c] / sum));
      assigned += count[c];
    }
  // Rounding leftovers go to the largest classes.
  std::vector<size_t> order(area.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return area[a] > area[b]; });
  for (size_t k = 0; assigned < total; k = (k + 1) % present, ++assigned)
    ++count[order[k]];
  return count;
}

void fillQueries(QuerySet& q, const std::vector<Vec3>& points, const Volume<uint8_t>& classes,
                 const ShapeFrame& frame, const ClassDistanceFields& fields) {
  const size_t n = points.size();
  q.points.resize(n * 3);
  q.occupancy.assign(n * kHeartClasses, 0);
  q.sdf.resize(n * kHeartClasses);
  const ImageGeometry& g = classes.geometry;
  for (size_t s = 0; s < n; ++s) {
    const Vec3& p = points[s];
    for (size_t d = 0; d < 3; ++d)
      q.points[3 * s + d] = float(p[d]);
    // Occupancy from the label map itself at the point's voxel, not from the resampled grid.
    const Vec3 index = g.physicalToIndex(frame.toMm(p));
    const int64_t i = std::llround(index[0]), j = std::llround(index[1]),
                  k = std::llround(index[2]);
    if (g.contains(i, j, k)) {
      const uint8_t label = classes.at(i, j, k);
      if (label > 0)
        q.occupancy[s * kHeartClasses + label - 1] = 1;
    }
    for (int c = 1; c <= kHeartClasses; ++c)
      q.sdf[s * kHeartClasses + size_t(c - 1)] = fields.at(c, p);
  }
}

} // namespace

PreparedShape prepareShape(const LabelVolume& labels, const std::string& caseId,
                           const ShapePrepareOptions& o) {
  const ClassMap map = classMapByName(o.classMap);
  Volume<uint8_t> classes;
  try {
    classes = mapClasses(labels, map);
  } catch (const InputError& e) {
    throw InputError(caseId + ": " + e.what());
  }
  std::array<uint8_t, kHeartClasses> annotated{};
  for (int c = 0; c < kHeartClasses; ++c)
    annotated[size_t(c)] = map.annotated[size_t(c)] ? 1 : 0;
  return prepareClasses(std::move(classes), annotated, caseId, o);
}

PreparedShape prepareClasses(Volume<uint8_t> classes,
                             const std::array<uint8_t, kHeartClasses>& annotated,
                             const std::string& caseId, const ShapePrepareOptions& o) {
  if (o.points < 1 || o.volumeQueries < 0 || o.nearQueries < 0)
    throw InputError(caseId + ": point and query counts must be positive");
  PreparedShape shape;
  shape.caseId = caseId;
  shape.source = classes.geometry;
  shape.annotated = annotated;
  for (int c : o.unannotated) {
    if (c < 1 || c > kHeartClasses)
      throw InputError(caseId + ": unannotated class " + std::to_string(c) + " is not in 1-10");
    shape.annotated[size_t(c - 1)] = 0;
  }
  for (uint8_t& label : classes.values)
    if (label > 0 && !shape.annotated[size_t(label - 1)])
      label = 0;
  for (uint8_t label : classes.values)
    if (label > 0)
      shape.present[size_t(label - 1)] = 1;
  try {
    shape.frame = computeShapeFrame(classes, o.margin);
  } catch (const InputError& e) {
    throw InputError(caseId + ": " + e.what());
  }
  shape.grid = resampleToFrame(classes, shape.frame, o.grid);
  const ClassGrid& grid = shape.grid;
  const ClassDistanceFields fields = computeDistanceFields(grid);

  // Class surfaces: the zero level of each distance field, on the box around the class.
  GridSpec spec;
  spec.size = {grid.n, grid.n, grid.n};
  spec.origin = {-1, -1, -1};
  spec.spacing = {grid.step(), grid.step(), grid.step()};
  // Each class's box of grid samples, all in one pass over the grid.
  std::array<std::array<int64_t, 3>, kHeartClasses> lo, hi;
  lo.fill({grid.n, grid.n, grid.n});
  hi.fill({-1, -1, -1});
  for (int k = 0; k < grid.n; ++k)
    for (int j = 0; j < grid.n; ++j)
      for (int i = 0; i < grid.n; ++i) {
        const uint8_t c =
            grid.labels[(size_t(k) * size_t(grid.n) + size_t(j)) * size_t(grid.n) + size_t(i)];
        if (c == 0)
          continue;
        auto& a = lo[size_t(c - 1)];
        auto& b = hi[size_t(c - 1)];
        a = {std::min<int64_t>(a[0], i), std::min<int64_t>(a[1], j), std::min<int64_t>(a[2], k)};
        b = {std::max<int64_t>(b[0], i), std::max<int64_t>(b[1], j), std::max<int64_t>(b[2], k)};
      }
  std::array<TriangleMesh, kHeartClasses> meshes;
  std::array<double, kHeartClasses> area{};
  for (size_t c = 0; c < size_t(kHeartClasses); ++c) {
    if (fields.sdf[c].empty())
      continue;
    meshes[c] =
        extractIsoSurface(fields.sdf[c], spec, 0.0, {lo[c][0] - 2, lo[c][1] - 2, lo[c][2] - 2},
                          {hi[c][0] + 2, hi[c][1] + 2, hi[c][2] + 2});
    area[c] = meshes[c].area();
  }
  std::mt19937_64 rng(o.seed);
  const auto budget = allocatePoints(area, size_t(o.points), size_t(o.minPointsPerClass));
  for (int c = 1; c <= kHeartClasses; ++c)
    for (const Vec3& p : sampleSurface(meshes[size_t(c - 1)], budget[size_t(c - 1)], rng)) {
      for (size_t d = 0; d < 3; ++d)
        shape.surfacePoints.push_back(float(p[d]));
      shape.surfaceLabels.push_back(uint8_t(c));
    }

  // Queries: uniform in the cube, and near the surfaces at two offset scales (classes weighted by
  // area, as the surface points are).
  std::uniform_real_distribution<double> cube(-1.0, 1.0);
  std::vector<Vec3> volumePoints(size_t(o.volumeQueries));
  for (Vec3& p : volumePoints)
    p = {cube(rng), cube(rng), cube(rng)};
  const auto nearBudget = allocatePoints(area, size_t(o.nearQueries), 0);
  std::vector<Vec3> nearPoints;
  nearPoints.reserve(size_t(o.nearQueries));
  std::normal_distribution<double> small(0.0, o.nearSigmaSmall), large(0.0, o.nearSigmaLarge);
  for (int c = 1; c <= kHeartClasses; ++c) {
    const auto onSurface = sampleSurface(meshes[size_t(c - 1)], nearBudget[size_t(c - 1)], rng);
    for (size_t s = 0; s < onSurface.size(); ++s) {
      auto& noise = s % 2 ? large : small;
      nearPoints.push_back({onSurface[s][0] + noise(rng), onSurface[s][1] + noise(rng),
                            onSurface[s][2] + noise(rng)});
    }
  }
  std::shuffle(nearPoints.begin(), nearPoints.end(), rng);
  fillQueries(shape.volume, volumePoints, classes, shape.frame, fields);
  fillQueries(shape.near, nearPoints, classes, shape.frame, fields);
  return shape;
}

} // namespace lumen
