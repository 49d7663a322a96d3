// What every segmentation backend implements (classical region growing, the learned 2D
// propagator, a TorchScript plug-in): given the image's slices, the key-slice prompts and a
// direction, return a mask per slice. The prompt pipeline (PromptSegmentation.h) runs a forward
// and a backward pass and combines them; a backend only ever sees one pass.
#pragma once
#include "io/Volume.h"
#include "segment/PromptPlan.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lumen {

class Job;

// One propagation pass over slices `from` .. `to` (inclusive): forward (towards higher z) or
// backward.
struct PropagationPass {
  const CtVolume* image = nullptr;
  const PromptPlan* plan = nullptr;
  int64_t from = 0, to = 0;
  bool backward = false;
  // Single-slice prompts only: after `to`, keep going while the object continues, at most this
  // many slices further (the pass decides where the object ends).
  int64_t extendBy = 0;

  int direction() const { return backward ? -1 : 1; }
};

// Masks of the slices a pass visited: slices[n] belongs to slice zFirst + n (zFirst is the lowest
// slice, whatever the pass's direction), width x height bytes, non-zero inside; an empty vector
// is an empty slice.
struct PassMasks {
  int64_t zFirst = 0;
  std::vector<std::vector<uint8_t>> slices;

  int64_t zLast() const { return zFirst + int64_t(slices.size()) - 1; }
};

class SegmentationBackend {
public:
  virtual ~SegmentationBackend() = default;
  // The name requests choose it by ("classical", "learned", a plug-in's name).
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  // Checks cancellation through `job` (may be null) between slices.
  virtual PassMasks propagate(const PropagationPass& pass, Job* job) const = 0;
};

} // namespace lumen
