#include "segment/PromptSegmentation.h"

#include "common/Error.h"
#include "common/Job.h"
#include "common/Parallel.h"
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

int64_t keepLargestComponent(MaskVolume& mask) {
  const auto& g = mask.geometry;
  const int64_t w = g.size[0], h = g.size[1], d = g.size[2];
  std::vector<int32_t> component(mask.values.size(), 0);
  std::vector<int64_t> sizes{0};
  std::vector<int64_t> stack;
  for (int64_t start = 0; start < int64_t(mask.values.size()); ++start) {
    if (!mask.values[size_t(start)] || component[size_t(start)])
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
      for (int64_t dz = -1; dz <= 1; ++dz)
        for (int64_t dy = -1; dy <= 1; ++dy)
          for (int64_t dx = -1; dx <= 1; ++dx) {
            const int64_t nx = x + dx, ny = y + dy, nz = z + dz;
            if (nx < 0 || ny < 0 || nz < 0 || nx >= w || ny >= h || nz >= d)
              continue;
            const size_t n = size_t(nx + w * (ny + h * nz));
            if (mask.values[n] && !component[n]) {
              component[n] = label;
              stack.push_back(int64_t(n));
            }
          }
    }
    sizes.push_back(size);
  }
  if (sizes.size() <= 2)
    return 0;
  int32_t largest = 1;
  for (int32_t c = 2; c < int32_t(sizes.size()); ++c)
    if (sizes[size_t(c)] > sizes[size_t(largest)])
      largest = c;
  int64_t removed = 0;
  for (size_t v = 0; v < mask.values.size(); ++v)
    if (mask.values[v] && component[v] != largest) {
      mask.values[v] = 0;
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
  for (int64_t z = zLo; z <= zHi; ++z) {
    if (!plan.singleSlice && (z < plan.zMin || z > plan.zMax))
      continue;
    uint8_t* out = result.mask.values.data() + size_t(z) * size_t(w * h);
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        const bool a = masks[0].inside(x, y, z, w), b = masks[1].inside(x, y, z, w);
        if (!a && !b)
          continue;
        const bool both = a && b;
        out[y * w + x] =
            (both || request.combination == PassCombination::Union) ? uint8_t(1) : uint8_t(2);
      }
  }
  result.timings.combineMs = msSince(combineStart);
  const auto componentsStart = Clock::now();
  if (request.largestComponent)
    keepLargestComponent(result.mask);
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
