// The slice-by-slice loop most backends share: a pass walks its slices in order and asks the
// backend for one slice at a time, handing it the previous slice's mask, the box of that slice and
// the points clicked on it. The backends that propagate with a memory of their own (a SAM2-style
// plug-in) implement SegmentationBackend::propagate directly instead.
//
// Single-slice prompts get their boxes here, for backends that know an object's boundary
// (adaptsSingleSliceBox): each slice beyond the clicked one is boxed around the slice before's
// mask (plus half the plan's margin), and the clicked slice, whose box only knew the click, is
// segmented once more following the mask of the slice beyond it. Other backends keep the clicks'
// box throughout.
#pragma once
#include "segment/SegmentationBackend.h"

namespace lumen {

struct SliceInput {
  const CtVolume* image = nullptr;
  int64_t z = 0;
  SliceBox box;
  bool keySlice = false;
  // The pass's mask of the slice before; may be empty.
  const std::vector<uint8_t>* previous = nullptr;
  // What the backend ruled background on the slice before (around negative clicks), so a
  // negative click keeps the object out of the following slices too; may be empty.
  const std::vector<uint8_t>* previousBackground = nullptr;
  std::vector<VoxelIndex> positives, negatives; // the points clicked on this slice
};

class SliceSegmenter : public SegmentationBackend {
public:
  // What a backend works out once per pass (e.g. the object's intensities from the clicked
  // points); passes may run at the same time, so it lives here and not in the backend.
  struct PassState {
    virtual ~PassState() = default;
  };

  PassMasks propagate(const PropagationPass& pass, Job* job) const override;

protected:
  // Whether a single-slice prompt's box may grow with the mask. Region growing says no: a box that
  // followed its mask would follow a leak into the neighbouring organ too.
  virtual bool adaptsSingleSliceBox() const { return true; }
  virtual std::unique_ptr<PassState> beginPass(const PropagationPass& pass) const;
  struct SliceOutcome {
    std::vector<uint8_t> mask;       // width x height, non-zero inside; empty or all zero: absent
    std::vector<uint8_t> background; // optional: pixels ruled background, handed to the next slice
  };
  virtual SliceOutcome segmentSlice(const SliceInput& input, PassState* state) const = 0;
};

} // namespace lumen
