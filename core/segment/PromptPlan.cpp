#include "segment/PromptPlan.h"

#include "common/Error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace lumen {

SliceBox SliceBox::united(const SliceBox& other) const {
  if (empty())
    return other;
  if (other.empty())
    return *this;
  return {std::min(x0, other.x0), std::min(y0, other.y0), std::max(x1, other.x1),
          std::max(y1, other.y1)};
}

bool PromptPlan::isKeySlice(int64_t z) const {
  return std::find(keySlices.begin(), keySlices.end(), z) != keySlices.end();
}

namespace {

std::string describe(const VoxelIndex& p) {
  return "(" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ", " + std::to_string(p[2]) +
         ")";
}

// The extent of the points plus the margin, clipped to the slice.
SliceBox boxAround(const std::vector<VoxelIndex>& points, const ImageGeometry& g,
                   const PromptPlanOptions& options) {
  SliceBox box{points[0][0], points[0][1], points[0][0], points[0][1]};
  for (const auto& p : points)
    box = box.united({p[0], p[1], p[0], p[1]});
  const auto mx = int64_t(std::ceil(options.marginMm / g.spacing[0]));
  const auto my = int64_t(std::ceil(options.marginMm / g.spacing[1]));
  return {std::max<int64_t>(0, box.x0 - mx), std::max<int64_t>(0, box.y0 - my),
          std::min(g.size[0] - 1, box.x1 + mx), std::min(g.size[1] - 1, box.y1 + my)};
}

} // namespace

PromptPlan planPrompts(const std::vector<PromptPoint>& points, const ImageGeometry& g,
                       const PromptPlanOptions& options) {
  if (!(options.marginMm >= 0) || !std::isfinite(options.marginMm))
    throw InputError("the box margin must be a finite number of millimetres >= 0");
  std::map<int64_t, std::vector<VoxelIndex>> positivesBySlice;
  for (const auto& p : points) {
    if (!g.contains(p.ijk[0], p.ijk[1], p.ijk[2]))
      throw InputError(std::string(p.positive ? "positive" : "negative") + " point " +
                       describe(p.ijk) + " lies outside the image of " + std::to_string(g.size[0]) +
                       "x" + std::to_string(g.size[1]) + "x" + std::to_string(g.size[2]) +
                       " voxels (indices start at 0)");
    if (p.positive)
      positivesBySlice[p.ijk[2]].push_back(p.ijk);
  }
  if (positivesBySlice.empty())
    throw InputError("a segmentation needs at least one positive point inside the object");

  PromptPlan plan;
  plan.points = points;
  plan.marginMm = options.marginMm;
  plan.zMin = positivesBySlice.begin()->first;
  plan.zMax = positivesBySlice.rbegin()->first;
  plan.boxes.resize(size_t(plan.zMax - plan.zMin + 1));
  if (positivesBySlice.size() == 1) {
    plan.singleSlice = true;
    plan.keySlices = {plan.zMin};
    plan.boxes[0] = boxAround(positivesBySlice.begin()->second, g, options);
    return plan;
  }
  for (auto it = positivesBySlice.begin(); std::next(it) != positivesBySlice.end(); ++it) {
    const auto next = std::next(it);
    std::vector<VoxelIndex> pair = it->second;
    pair.insert(pair.end(), next->second.begin(), next->second.end());
    const SliceBox box = boxAround(pair, g, options);
    plan.keySlices.push_back((it->first + next->first) / 2);
    for (int64_t z = it->first; z <= next->first; ++z) {
      auto& slot = plan.boxes[size_t(z - plan.zMin)];
      slot = slot.united(box);
    }
  }
  return plan;
}

std::vector<PromptPoint> parsePromptPoints(const std::string& text, bool positive) {
  std::vector<PromptPoint> points;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(';', start), text.size());
    const std::string item = text.substr(start, end - start);
    start = end + 1;
    if (item.find_first_not_of(" \t") == std::string::npos) {
      if (end >= text.size())
        break;
      continue;
    }
    PromptPoint p;
    p.positive = positive;
    const char* at = item.data();
    const char* last = item.data() + item.size();
    for (int a = 0; a < 3; ++a) {
      while (at < last && (*at == ' ' || *at == '\t'))
        ++at;
      const auto [next, ec] = std::from_chars(at, last, p.ijk[size_t(a)]);
      at = next;
      while (at < last && (*at == ' ' || *at == '\t'))
        ++at;
      const bool separatorOk = a < 2 ? (at < last && *at == ',') : at == last;
      if (ec != std::errc() || !separatorOk)
        throw InputError("point \"" + item +
                         "\" is not three whole voxel indices written i,j,k (points are "
                         "separated by ';')");
      if (a < 2)
        ++at;
    }
    points.push_back(p);
    if (end >= text.size())
      break;
  }
  return points;
}

} // namespace lumen
