// The tensor contract of the learned slice backends (the trained propagator and TorchScript
// plug-ins), shared by inference and training so both see exactly the same input.
//
// One slice at a time, the slice's box (PromptPlan.h) is resampled to S x S (bilinear; the box
// is stretched, not padded) into a float32 tensor of kSliceNetChannels channels:
//   0  HU / 1000, clipped to [-1, 3]
//   1  HU relative to the clicked object: (HU - mean) / halfWidth, clipped to [-4, 4], where mean
//      and halfWidth (max(3 sd, 80 HU)) come from the 5x5 neighbourhoods of the pass's positive
//      points, so "as bright as what was clicked" reads the same on any scan
//   2  the previous slice's mask of the pass (0/1, resampled like the image; zero on a key slice)
//   3  the positive points clicked on this slice, as Gaussian blobs (sigma 2 output pixels, peak 1)
//   4  the negative points clicked on this slice, likewise
// The network returns logits of shape (N, 1, S, S) or (N, S, S); above 0 is the object. They are
// resampled back onto the box (bilinear) and thresholded there; nothing outside the box is set.
#pragma once
#include "segment/ObjectIntensity.h"

#include <torch/torch.h>
#include <vector>

namespace lumen {

inline constexpr int kSliceNetChannels = 5;

struct SliceNetSample {
  int64_t z = 0;
  SliceBox box;                           // inside the slice
  const std::vector<uint8_t>* previous{}; // whole slice, may be null or empty
  std::vector<VoxelIndex> positives, negatives;
};

// (kSliceNetChannels, size, size).
torch::Tensor sliceNetInput(const CtVolume& image, const SliceNetSample& sample,
                            const ObjectIntensity& intensity, int size);

// A whole-slice mask (width x height of the image) from (size, size) logits, set inside the box
// only.
std::vector<uint8_t> sliceMaskFromLogits(const torch::Tensor& logits, const SliceBox& box,
                                         int64_t width, int64_t height);

// The box's pixels of a whole-slice mask, resampled to (1, size, size) as channel 2 is: the
// training target (thresholded at 0.5 by the caller when it wants a hard one).
torch::Tensor boxResampled(const std::vector<uint8_t>& mask, int64_t width, const SliceBox& box,
                           int size);

} // namespace lumen
