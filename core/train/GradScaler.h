// Dynamic loss scaling for mixed-precision training, as PyTorch's torch.cuda.amp.GradScaler does
// it (LibTorch 1.13's C++ API has none): the loss is multiplied by a large scale before backward
// so float16 gradients do not underflow; before the optimiser steps, the gradients are divided
// by it and checked; a step whose gradients hold an infinity or NaN is skipped and the scale
// shrinks (backoff), while `growthInterval` finite steps in a row grow it. On CUDA the check and
// division are LibTorch's fused _amp_foreach_non_finite_check_and_unscale_; elsewhere the same
// arithmetic in plain tensor operations (the path the CPU tests drive with injected infinities).
#pragma once
#include <cstdint>
#include <torch/torch.h>
#include <vector>

namespace lumen {

struct GradScalerOptions {
  double initScale = 65536.0; // 2^16, PyTorch's default
  double growthFactor = 2.0;
  double backoffFactor = 0.5;
  int64_t growthInterval = 2000;
};

class GradScaler {
public:
  explicit GradScaler(GradScalerOptions options = {});

  double scale() const { return scale_; }
  int64_t growthTracker() const { return growthTracker_; }
  // A checkpoint's state (restoring what scale() and growthTracker() returned).
  void restore(double scale, int64_t growthTracker);

  torch::Tensor scaled(const torch::Tensor& loss) const { return loss * scale_; }
  // Divides every defined gradient by the scale; true when all of them are finite.
  bool unscale(const std::vector<torch::Tensor>& parameters) const;
  // After each step: `finite` is what unscale returned (false: the step was skipped).
  void update(bool finite);

private:
  GradScalerOptions options_;
  double scale_;
  int64_t growthTracker_ = 0;
};

} // namespace lumen
