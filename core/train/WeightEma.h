// Exponential moving average of a model's parameters (buffers are copied as they are), as in
// timm's ModelEmaV2: shadow = decay * shadow + (1 - decay) * param after every optimiser step.
#pragma once
#include <torch/torch.h>
#include <vector>

namespace lumen {

class WeightEma {
public:
  WeightEma(torch::nn::Module& model, double decay);
  void update(torch::nn::Module& model);
  // Starts the average afresh from the model's current weights.
  void resetTo(torch::nn::Module& model);
  // Swaps the averaged weights into the model (and the model's own ones out); calling it twice
  // restores the original weights.
  void swapInto(torch::nn::Module& model);
  std::vector<torch::Tensor>& shadow() { return shadow_; }

private:
  static std::vector<torch::Tensor> stateTensors(torch::nn::Module& model);
  double decay_;
  std::vector<torch::Tensor> shadow_;
};

// Swaps EMA weights in for a scope (validation, saving the best model).
class EmaScope {
public:
  EmaScope(WeightEma* ema, torch::nn::Module& model) : ema_(ema), model_(model) {
    if (ema_)
      ema_->swapInto(model_);
  }
  ~EmaScope() {
    if (ema_)
      ema_->swapInto(model_);
  }

private:
  WeightEma* ema_;
  torch::nn::Module& model_;
};

} // namespace lumen
