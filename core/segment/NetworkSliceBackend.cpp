#include "segment/NetworkSliceBackend.h"

#include "common/Error.h"
#include "segment/SliceNetInput.h"

#include <thread>

namespace lumen {

namespace {

struct PassIntensity : SliceSegmenter::PassState {
  ObjectIntensity intensity;
};

} // namespace

NetworkSliceBackend::NetworkSliceBackend(std::string name, std::string description,
                                         std::shared_ptr<const SliceNetwork> network)
    : name_(std::move(name)), description_(std::move(description)), network_(std::move(network)) {}

std::unique_ptr<SliceSegmenter::PassState>
NetworkSliceBackend::beginPass(const PropagationPass& pass) const {
  // The forward and backward passes run at once, one per worker: each takes half the cores for
  // its network (OpenMP's thread count is per calling thread), so together they never ask for
  // more threads than there are cores, which slows small convolutions several times over.
  torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency() / 2)));
  auto state = std::make_unique<PassIntensity>();
  state->intensity = objectIntensity(*pass.image, pass.plan->points);
  return state;
}

SliceSegmenter::SliceOutcome NetworkSliceBackend::segmentSlice(const SliceInput& in,
                                                               PassState* state) const {
  // With neither a mask to follow nor a click on the slice there is nothing to segment: the pass
  // lost the object.
  const bool follow = in.previous && !in.previous->empty();
  if (in.box.empty() || (!follow && in.positives.empty()))
    return {};
  const auto& intensity = static_cast<const PassIntensity&>(*state).intensity;
  SliceNetSample sample;
  sample.z = in.z;
  sample.box = in.box;
  sample.previous = in.previous;
  sample.positives = in.positives;
  sample.negatives = in.negatives;
  const int size = network_->inputSize();
  c10::InferenceMode inference;
  const auto input = sliceNetInput(*in.image, sample, intensity, size).unsqueeze(0);
  const auto logits = network_->forward(input);
  if (logits.numel() != int64_t(size) * size)
    throw InputError("backend \"" + name_ + "\" returned " + std::to_string(logits.numel()) +
                     " logits for a " + std::to_string(size) + "x" + std::to_string(size) +
                     " input; expected (1, 1, S, S) or (1, S, S)");
  const ImageGeometry& g = in.image->geometry;
  SliceOutcome out;
  out.mask = sliceMaskFromLogits(logits, in.box, g.size[0], g.size[1]);
  // A negative click is background whatever the network thinks of it.
  if (!out.mask.empty())
    for (const auto& p : in.negatives)
      out.mask[size_t(p[1] * g.size[0] + p[0])] = 0;
  return out;
}

} // namespace lumen
