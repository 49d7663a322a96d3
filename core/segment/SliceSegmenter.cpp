#include "segment/SliceSegmenter.h"

#include "common/Job.h"

#include <algorithm>
#include <cmath>

namespace lumen {

namespace {

bool anyInside(const std::vector<uint8_t>& mask) {
  return std::any_of(mask.begin(), mask.end(), [](uint8_t v) { return v != 0; });
}

// The mask's extent plus the margin, clipped to the slice.
SliceBox boxAroundMask(const std::vector<uint8_t>& mask, int64_t w, int64_t h, int64_t mx,
                       int64_t my) {
  SliceBox box{w, h, -1, -1};
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      if (mask[size_t(y * w + x)])
        box = {std::min(box.x0, x), std::min(box.y0, y), std::max(box.x1, x), std::max(box.y1, y)};
  if (box.empty())
    return box;
  return {std::max<int64_t>(0, box.x0 - mx), std::max<int64_t>(0, box.y0 - my),
          std::min(w - 1, box.x1 + mx), std::min(h - 1, box.y1 + my)};
}

} // namespace

std::unique_ptr<SliceSegmenter::PassState> SliceSegmenter::beginPass(const PropagationPass&) const {
  return nullptr;
}

PassMasks SliceSegmenter::propagate(const PropagationPass& pass, Job* job) const {
  const auto state = beginPass(pass);
  const PromptPlan& plan = *pass.plan;
  const int step = pass.direction();
  const ImageGeometry& g = pass.image->geometry;
  const int64_t depth = g.size[2], w = g.size[0], h = g.size[1];
  // Half the plan's margin around the mask before: about the room a box from clicks inside the
  // object leaves around it.
  const auto mx = int64_t(std::ceil(plan.marginMm / 2 / g.spacing[0]));
  const auto my = int64_t(std::ceil(plan.marginMm / 2 / g.spacing[1]));
  const bool adapt = plan.singleSlice && adaptsSingleSliceBox();
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
    // A single-slice prompt's box follows the object beyond its slice: the mask before, plus the
    // margin (the pass only gets there while it still has a mask).
    input.box = adapt && beyond && !previous.empty() ? boxAroundMask(previous, w, h, mx, my)
                                                     : plan.boxOf(boxSlice);
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
  // A second look at the clicked slice: one click's box knows nothing of the object's size and
  // clips a large organ, while the slice beyond it was boxed around its own mask. Segmented again
  // with that mask to follow (and the click's box kept inside its box), the clicked slice gets
  // the whole object too.
  if (adapt && visited.size() > 1 && !visited[1].empty()) {
    SliceInput again;
    again.image = pass.image;
    again.z = pass.from;
    again.box = boxAroundMask(visited[1], w, h, mx, my).united(plan.boxOf(pass.from));
    again.keySlice = true;
    again.previous = &visited[1];
    for (const auto& p : plan.points)
      if (p.ijk[2] == pass.from)
        (p.positive ? again.positives : again.negatives).push_back(p.ijk);
    SliceOutcome outcome = segmentSlice(again, state.get());
    if (anyInside(outcome.mask))
      visited[0] = std::move(outcome.mask);
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
