#include "shapes/ShapeRetrieval.h"

#include "common/Error.h"

#include <cmath>
#include <limits>

namespace lumen {
namespace {

using Points = std::vector<std::array<float, 3>>;

// Up to `count` points of class `label`, evenly strided, in the frame `f` (case units).
Points classPoints(const PreparedShape& s, int label, const InputFrame& f, size_t count) {
  std::vector<size_t> index;
  for (size_t i = 0; i < s.surfaceLabels.size(); ++i)
    if (s.surfaceLabels[i] == label)
      index.push_back(i);
  Points points;
  const size_t stride = std::max<size_t>(1, index.size() / count);
  for (size_t k = 0; k < index.size() && points.size() < count; k += stride) {
    const float* p = s.surfacePoints.data() + 3 * index[k];
    points.push_back({float((p[0] - f.center[0]) / f.scale), float((p[1] - f.center[1]) / f.scale),
                      float((p[2] - f.center[2]) / f.scale)});
  }
  return points;
}

double meanNearest(const Points& from, const Points& to) {
  double total = 0;
  for (const auto& a : from) {
    float best = std::numeric_limits<float>::max();
    for (const auto& b : to) {
      const float dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
      best = std::min(best, dx * dx + dy * dy + dz * dz);
    }
    total += std::sqrt(double(best));
  }
  return total / double(from.size());
}

InputFrame frameOf(const PreparedShape& s, ClassSet visible, double margin) {
  return visibleFrame(s.surfacePoints.data(), s.surfaceLabels.data(), s.surfaceLabels.size(),
                      visible, margin);
}

} // namespace

RetrievalBaseline::RetrievalBaseline(std::vector<PreparedShape> references, double margin,
                                     size_t pointsPerClass)
    : references_(std::move(references)), margin_(margin), pointsPerClass_(pointsPerClass) {
  if (references_.empty())
    throw InputError("the retrieval baseline needs at least one reference case");
  for (const auto& r : references_)
    if (r.grid.n == 0)
      throw InputError("reference case " + r.caseId +
                       " has no /grid/labels: prepare it again with this version of Lumen");
}

RetrievalBaseline::Match RetrievalBaseline::nearest(const PreparedShape& query,
                                                    ClassSet visible) const {
  const InputFrame qf = frameOf(query, visible, margin_);
  std::vector<std::pair<int, Points>> queryPoints;
  for (int c : classLabels(visible))
    queryPoints.emplace_back(c, classPoints(query, c, qf, pointsPerClass_));
  Match best;
  best.distance = std::numeric_limits<double>::max();
  for (size_t r = 0; r < references_.size(); ++r) {
    const auto& ref = references_[r];
    if ((classSetOf(ref.present) & visible).none())
      continue;
    const InputFrame rf = frameOf(ref, visible, margin_);
    double distance = 0;
    for (const auto& [c, points] : queryPoints) {
      const Points refPoints = classPoints(ref, c, rf, pointsPerClass_);
      // A reference without the class is as far as the cube is wide.
      distance += refPoints.empty() || points.empty()
                      ? 2.0
                      : 0.5 * (meanNearest(points, refPoints) + meanNearest(refPoints, points));
    }
    distance /= double(std::max<size_t>(1, queryPoints.size()));
    if (distance < best.distance) {
      best.index = r;
      best.caseId = ref.caseId;
      best.distance = distance;
    }
  }
  if (best.distance == std::numeric_limits<double>::max())
    throw InputError("no reference case has any of the visible classes (" +
                     describeClasses(visible) + ")");
  return best;
}

std::vector<uint8_t> RetrievalBaseline::predictGrid(const PreparedShape& query, ClassSet visible,
                                                    Match* matchOut) const {
  if (query.grid.n == 0)
    throw InputError(query.caseId + " has no /grid/labels to predict on");
  const Match match = nearest(query, visible);
  if (matchOut)
    *matchOut = match;
  const PreparedShape& ref = references_[match.index];
  const InputFrame qf = frameOf(query, visible, margin_), rf = frameOf(ref, visible, margin_);
  const int n = query.grid.n, m = ref.grid.n;
  const double h = query.grid.step(), hr = ref.grid.step();
  std::vector<uint8_t> labels(query.grid.labels.size(), 0);
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const Vec3 p{-1 + h * i, -1 + h * j, -1 + h * k};
        int index[3];
        bool inside = true;
        for (size_t d = 0; d < 3; ++d) {
          // query case units -> shared visible frame -> reference case units -> reference sample
          const double u = (p[d] - qf.center[d]) / qf.scale;
          const double r = rf.center[d] + rf.scale * u;
          index[d] = int(std::lround((r + 1) / hr));
          inside = inside && index[d] >= 0 && index[d] < m;
        }
        if (inside)
          labels[query.grid.index(i, j, k)] =
              ref.grid.labels[ref.grid.index(index[0], index[1], index[2])];
      }
  return labels;
}

} // namespace lumen
