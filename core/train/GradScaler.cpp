#include "train/GradScaler.h"

#include <cmath>
#include <stdexcept>

namespace lumen {

GradScaler::GradScaler(GradScalerOptions options) : options_(options), scale_(options.initScale) {
  if (!(options.initScale > 0) || !(options.growthFactor > 1) || !(options.backoffFactor > 0) ||
      !(options.backoffFactor < 1) || options.growthInterval < 1)
    throw std::invalid_argument("GradScaler: scale > 0, growth > 1, 0 < backoff < 1 and an "
                                "interval of at least one step are required");
}

void GradScaler::restore(double scale, int64_t growthTracker) {
  if (scale > 0 && std::isfinite(scale) && growthTracker >= 0) {
    scale_ = scale;
    growthTracker_ = growthTracker;
  }
}

bool GradScaler::unscale(const std::vector<torch::Tensor>& parameters) const {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined())
      grads.push_back(p.mutable_grad());
  if (grads.empty())
    return true;
  const auto options = grads.front().options().dtype(torch::kFloat32);
  auto foundInf = torch::zeros({1}, options);
  const auto inverse = torch::full({1}, 1.0 / scale_, options);
  if (grads.front().is_cuda()) {
    at::_amp_foreach_non_finite_check_and_unscale_(grads, foundInf, inverse);
  } else {
    for (auto& g : grads) {
      g.mul_(inverse.to(g.scalar_type()));
      foundInf.add_(torch::logical_not(torch::isfinite(g)).any().to(torch::kFloat32));
    }
  }
  return foundInf.item<float>() == 0.0f;
}

void GradScaler::update(bool finite) {
  if (!finite) {
    scale_ *= options_.backoffFactor;
    growthTracker_ = 0;
    return;
  }
  if (++growthTracker_ >= options_.growthInterval) {
    scale_ *= options_.growthFactor;
    growthTracker_ = 0;
  }
}

} // namespace lumen
