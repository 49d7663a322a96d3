#include "segment/SliceSegmenter.h"

#include "common/Job.h"

#include <algorithm>
#include <cmath>

namespace lumen {

namespace {

bool anyInside(const std::vector<uint8_t>& mask) {
  return std::any_of(mask.begin(), mask.end(), [](uint8_t v) { return v != 0; });
}

// The box plus `mx`/`my` pixels on each side the mask reaches (has a pixel on that edge of the
// box), where the slice leaves room; the box itself when the mask stays inside.
SliceBox grownWhereReached(const std::vector<uint8_t>& mask, const SliceBox& box, int64_t w,
                           int64_t h, int64_t mx, int64_t my) {
  if (mask.empty())
    return box;
  bool left = false, right = false, top = false, bottom = false;
  for (int64_t y = box.y0; y <= box.y1; ++y) {
    left = left || mask[size_t(y * w + box.x0)];
    right = right || mask[size_t(y * w + box.x1)];
  }
  for (int64_t x = box.x0; x <= box.x1; ++x) {
    top = top || mask[size_t(box.y0 * w + x)];
    bottom = bottom || mask[size_t(box.y1 * w + x)];
  }
  SliceBox grown = box;
  if (left)
    grown.x0 = std::max<int64_t>(0, box.x0 - mx);
  if (right)
    grown.x1 = std::min(w - 1, box.x1 + mx);
  if (top)
    grown.y0 = std::max<int64_t>(0, box.y0 - my);
  if (bottom)
    grown.y1 = std::min(h - 1, box.y1 + my);
  return grown;
}

bool sameBox(const SliceBox& a, const SliceBox& b) {
  return a.x0 == b.x0 && a.y0 == b.y0 && a.x1 == b.x1 && a.y1 == b.y1;
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
  const auto mx = int64_t(std::ceil(plan.marginMm / g.spacing[0]));
  const auto my = int64_t(std::ceil(plan.marginMm / g.spacing[1]));
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
    input.box = adapt && beyond && !previous.empty()
                    ? boxAroundMask(previous, w, h, (mx + 1) / 2, (my + 1) / 2)
                    : plan.boxOf(boxSlice);
    input.keySlice = plan.isKeySlice(z);
    input.previous = &previous;
    input.previousBackground = &previousBackground;
    for (const auto& p : plan.points)
      if (p.ijk[2] == z)
        (p.positive ? input.positives : input.negatives).push_back(p.ijk);
    SliceOutcome outcome = segmentSlice(input, state.get());
    // One click sized the box without knowing the object's size: give the clicked slice room
    // wherever its mask met the box, then segment it again.
    for (int round = 0; adapt && !beyond && round < plan.fitRounds; ++round) {
      const SliceBox grown = grownWhereReached(outcome.mask, input.box, w, h, mx, my);
      if (sameBox(grown, input.box))
        break;
      input.box = grown;
      outcome = segmentSlice(input, state.get());
    }
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
