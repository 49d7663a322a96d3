#include "segment/PromptSegmentation.h"

#include "common/Error.h"
#include "common/Job.h"
#include "common/Parallel.h"
#include "segment/MaskExtent.h"
#include "segment/NegativeSplit.h"
#include "segment/SegmentationBackend.h"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

namespace lumen {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

MaskVolume blankMask(const ImageGeometry& geometry) {
  MaskVolume mask;
  mask.geometry = geometry;
  mask.values.assign(geometry.voxels(), 0);
  return mask;
}

} // namespace

int64_t keepLargestComponent(MaskVolume& mask, const std::vector<PromptPoint>& clicks) {
  const MaskExtent e = maskExtent(mask);
  if (e.empty())
    return 0;
  const int64_t w = e.width(), h = e.height(), d = e.depth();
  auto full = [&](int64_t x, int64_t y, int64_t z) { return e.full(x, y, z); };
  std::vector<int32_t> component(size_t(w * h * d), 0);
  std::vector<int64_t> sizes{0};
  std::vector<int64_t> stack;
  for (int64_t start = 0; start < w * h * d; ++start) {
    const int64_t sx = start % w, sy = (start / w) % h, sz = start / (w * h);
    if (!mask.values[full(sx, sy, sz)] || component[size_t(start)])
      continue;
    const auto label = int32_t(sizes.size());
    int64_t size = 0;
    component[size_t(start)] = label;
    stack.push_back(start);
    while (!stack.empty()) {
      const int64_t at = stack.back();
      stack.pop_back();
      ++size;
      const int64_t x = at % w, y = (at / w) % h, z = at / (w * h);
      for (int64_t nz = std::max<int64_t>(0, z - 1); nz <= std::min(d - 1, z + 1); ++nz)
        for (int64_t ny = std::max<int64_t>(0, y - 1); ny <= std::min(h - 1, y + 1); ++ny)
          for (int64_t nx = std::max<int64_t>(0, x - 1); nx <= std::min(w - 1, x + 1); ++nx) {
            const size_t n = size_t(nx + w * (ny + h * nz));
            if (!component[n] && mask.values[full(nx, ny, nz)]) {
              component[n] = label;
              stack.push_back(int64_t(n));
            }
          }
    }
    sizes.push_back(size);
  }
  if (sizes.size() <= 2)
    return 0;
  // The components the user clicked inside, when there are any: a larger one the passes found
  // beside the object (a leak that went its own way) is not what was asked for.
  std::vector<bool> clicked(sizes.size(), false);
  bool anyClicked = false;
  for (const auto& p : clicks) {
    const int64_t x = p.ijk[0] - e.lo[0], y = p.ijk[1] - e.lo[1], z = p.ijk[2] - e.lo[2];
    if (!p.positive || x < 0 || y < 0 || z < 0 || x >= w || y >= h || z >= d)
      continue;
    const int32_t c = component[size_t(x + w * (y + h * z))];
    if (c) {
      clicked[size_t(c)] = true;
      anyClicked = true;
    }
  }
  int32_t largest = 0;
  for (int32_t c = 1; c < int32_t(sizes.size()); ++c)
    if ((!anyClicked || clicked[size_t(c)]) &&
        (!largest || sizes[size_t(c)] > sizes[size_t(largest)]))
      largest = c;
  int64_t removed = 0;
  for (int64_t at = 0; at < w * h * d; ++at)
    if (component[size_t(at)] && component[size_t(at)] != largest) {
      mask.values[full(at % w, (at / w) % h, at / (w * h))] = 0;
      ++removed;
    }
  return removed;
}

SegmentationResult segmentWithPrompts(const CtVolume& image, const SegmentationRequest& request,
                                      const SegmentationBackend& backend, Job* job) {
  const auto start = Clock::now();
  SegmentationResult result;
  result.backend = backend.name();
  const ImageGeometry& g = image.geometry;
  if (image.values.size() != g.voxels())
    throw InputError("the image holds " + std::to_string(image.values.size()) + " values for " +
                     std::to_string(g.voxels()) + " voxels");
  PromptPlan plan;
  try {
    plan = planPrompts(request.points, g, request.plan);
  } catch (const InputError& e) {
    result.mask = blankMask(g);
    result.error = e.what();
    result.timings.totalMs = msSince(start);
    return result;
  }
  result.zMin = plan.zMin;
  result.zMax = plan.zMax;
  result.keySlices = plan.keySlices;
  result.timings.planMs = msSince(start);

  PropagationPass forward, backward;
  forward.image = backward.image = &image;
  forward.plan = backward.plan = &plan;
  forward.from = backward.to = plan.zMin;
  forward.to = backward.from = plan.zMax;
  backward.backward = true;
  if (plan.singleSlice)
    forward.extendBy = backward.extendBy =
        int64_t(std::floor(request.singleSliceReachMm / g.spacing[2]));
  PassMasks masks[2];
  double passMs[2] = {0, 0};
  parallelFor(
      2, 2,
      [&](size_t n) {
        const auto passStart = Clock::now();
        masks[n] = backend.propagate(n == 0 ? forward : backward, job);
        passMs[n] = msSince(passStart);
      },
      job);
  result.timings.forwardMs = passMs[0];
  result.timings.backwardMs = passMs[1];

  const auto combineStart = Clock::now();
  result.mask = blankMask(g);
  const int64_t w = g.size[0], h = g.size[1];
  const int64_t zLo = std::min(masks[0].zFirst, masks[1].zFirst);
  const int64_t zHi = std::max(masks[0].zLast(), masks[1].zLast());
  const size_t sliceSize = size_t(w * h);
  static const std::vector<uint8_t> none;
  auto sliceOf = [&](const PassMasks& m, int64_t z) -> const std::vector<uint8_t>& {
    return z < m.zFirst || z > m.zLast() ? none : m.slices[size_t(z - m.zFirst)];
  };
  const uint8_t single = request.combination == PassCombination::Union ? 1 : 2;
  for (int64_t z = zLo; z <= zHi; ++z) {
    if (!plan.singleSlice && (z < plan.zMin || z > plan.zMax))
      continue;
    const auto& a = sliceOf(masks[0], z);
    const auto& b = sliceOf(masks[1], z);
    uint8_t* out = result.mask.values.data() + size_t(z) * sliceSize;
    if (!a.empty() && !b.empty()) {
      for (size_t v = 0; v < sliceSize; ++v)
        out[v] = a[v] && b[v] ? 1 : (a[v] || b[v]) ? single : 0;
    } else if (!a.empty() || !b.empty()) {
      const auto& one = a.empty() ? b : a;
      for (size_t v = 0; v < sliceSize; ++v)
        out[v] = one[v] ? single : 0;
    }
  }
  result.timings.combineMs = msSince(combineStart);
  const auto componentsStart = Clock::now();
  splitByNegativeClicks(result.mask, plan.points);
  if (request.largestComponent)
    keepLargestComponent(result.mask, plan.points);
  result.timings.componentsMs = msSince(componentsStart);
  for (uint8_t v : result.mask.values) {
    result.certainVoxels += v == 1;
    result.uncertainVoxels += v == 2;
  }
  const double voxelMl = g.spacing[0] * g.spacing[1] * g.spacing[2] / 1000.0;
  result.volumeMl = double(result.voxels()) * voxelMl;
  result.timings.totalMs = msSince(start);
  return result;
}

std::string segmentationResultJson(const SegmentationResult& r) {
  nlohmann::ordered_json j;
  j["backend"] = r.backend;
  if (!r.error.empty())
    j["error"] = r.error;
  j["voxels"] = r.voxels();
  j["certain_voxels"] = r.certainVoxels;
  j["uncertain_voxels"] = r.uncertainVoxels;
  j["volume_ml"] = std::round(r.volumeMl * 1000) / 1000;
  j["uncertain_fraction"] = std::round(r.uncertainFraction() * 1e6) / 1e6;
  if (r.error.empty()) {
    j["z_range"] = {r.zMin, r.zMax};
    j["key_slices"] = r.keySlices;
  }
  auto ms = [](double v) { return std::round(v * 100) / 100; };
  j["timings_ms"] = {{"plan", ms(r.timings.planMs)},
                     {"forward", ms(r.timings.forwardMs)},
                     {"backward", ms(r.timings.backwardMs)},
                     {"combine", ms(r.timings.combineMs)},
                     {"components", ms(r.timings.componentsMs)},
                     {"total", ms(r.timings.totalMs)}};
  return j.dump(2);
}

} // namespace lumen
