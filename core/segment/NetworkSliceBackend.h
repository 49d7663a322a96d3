// A backend whose every slice is one forward pass of a network under the tensor contract of
// SliceNetInput.h: the learned propagator trained in Lumen and TorchScript plug-ins share it, so
// a plug-in sees exactly what the built-in network sees. Passes may run at once: networks are
// only read (eval mode, no gradients).
#pragma once
#include "segment/SliceSegmenter.h"

#include <memory>
#include <string>

namespace at {
class Tensor;
}

namespace lumen {

class SliceNetwork {
public:
  virtual ~SliceNetwork() = default;
  // S: the side of the square input.
  virtual int inputSize() const = 0;
  // (N, kSliceNetChannels, S, S) float32 -> (N, 1, S, S) or (N, S, S) logits.
  virtual at::Tensor forward(const at::Tensor& input) const = 0;
};

class NetworkSliceBackend : public SliceSegmenter {
public:
  NetworkSliceBackend(std::string name, std::string description,
                      std::shared_ptr<const SliceNetwork> network);
  std::string name() const override { return name_; }
  std::string description() const override { return description_; }

protected:
  std::unique_ptr<PassState> beginPass(const PropagationPass& pass) const override;
  SliceOutcome segmentSlice(const SliceInput& input, PassState* state) const override;

private:
  std::string name_, description_;
  std::shared_ptr<const SliceNetwork> network_;
};

} // namespace lumen
