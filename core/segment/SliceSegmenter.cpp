#include "segment/SliceSegmenter.h"

#include "common/Job.h"

#include <algorithm>

namespace lumen {

namespace {

bool anyInside(const std::vector<uint8_t>& mask) {
  return std::any_of(mask.begin(), mask.end(), [](uint8_t v) { return v != 0; });
}

} // namespace

std::unique_ptr<SliceSegmenter::PassState> SliceSegmenter::beginPass(const PropagationPass&) const {
  return nullptr;
}

PassMasks SliceSegmenter::propagate(const PropagationPass& pass, Job* job) const {
  const auto state = beginPass(pass);
  const PromptPlan& plan = *pass.plan;
  const int step = pass.direction();
  const int64_t depth = pass.image->geometry.size[2];
  const int64_t last =
      std::clamp<int64_t>(pass.to + step * pass.extendBy, 0, std::max<int64_t>(0, depth - 1));
  std::vector<std::vector<uint8_t>> visited;
  std::vector<uint8_t> previous, previousBackground;
  for (int64_t z = pass.from;; z += step) {
    if (job)
      job->checkCancelled();
    const bool beyond = (z - pass.to) * step > 0; // extending a single-slice prompt
    SliceInput input;
    input.image = pass.image;
    input.z = z;
    const int64_t boxSlice = std::clamp(z, plan.zMin, plan.zMax);
    input.box = plan.boxOf(boxSlice);
    input.keySlice = plan.isKeySlice(z);
    input.previous = &previous;
    input.previousBackground = &previousBackground;
    for (const auto& p : plan.points)
      if (p.ijk[2] == z)
        (p.positive ? input.positives : input.negatives).push_back(p.ijk);
    SliceOutcome outcome = segmentSlice(input, state.get());
    const bool found = anyInside(outcome.mask);
    if (beyond && !found)
      break; // the object ended
    visited.push_back(found ? outcome.mask : std::vector<uint8_t>{});
    previous = found ? std::move(outcome.mask) : std::vector<uint8_t>{};
    previousBackground =
        anyInside(outcome.background) ? std::move(outcome.background) : std::vector<uint8_t>{};
    if (z == last)
      break;
  }
  PassMasks out;
  const int64_t end = pass.from + step * (int64_t(visited.size()) - 1);
  out.zFirst = std::min(pass.from, end);
  if (step < 0)
    std::reverse(visited.begin(), visited.end());
  out.slices = std::move(visited);
  return out;
}

} // namespace lumen
