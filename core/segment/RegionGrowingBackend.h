// The classical, weight-free backend: on each slice, ITK's connected-threshold region growing
// inside the slice's box, seeded by the points clicked on that slice and by the previous slice's
// mask, and bounded by that mask grown by a few millimetres, so the region follows the object
// from slice to slice instead of leaking into neighbours of the same density. The intensity range
// comes from the clicked points: their neighbourhoods' mean +- max(3 sd, minimumHalfWidthHu).
// Negative clicks compete with the object: inside the grown region, each pixel goes to whichever
// side reaches it first (a two-front breadth-first search from the object's seeds and the
// background's), and the background side is handed on to the next slice the way the mask is,
// so one negative click cuts a leak off along the slices that follow.
#pragma once
#include "segment/SliceSegmenter.h"

namespace lumen {

struct RegionGrowingOptions {
  double minimumHalfWidthHu = 80;
  // How far the object may spread from one slice to the next, in millimetres.
  double followMm = 2;
  // Negative points block a disc of this radius on their slice.
  double negativeRadiusMm = 4;
};

class RegionGrowingBackend : public SliceSegmenter {
public:
  explicit RegionGrowingBackend(RegionGrowingOptions options = {}) : options_(options) {}
  std::string name() const override { return "classical"; }
  std::string description() const override;

protected:
  bool adaptsSingleSliceBox() const override { return false; }
  std::unique_ptr<PassState> beginPass(const PropagationPass& pass) const override;
  SliceOutcome segmentSlice(const SliceInput& input, PassState* state) const override;

private:
  RegionGrowingOptions options_;
};

} // namespace lumen
