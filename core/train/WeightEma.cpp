#include "train/WeightEma.h"

namespace lumen {

std::vector<torch::Tensor> WeightEma::stateTensors(torch::nn::Module& model) {
  std::vector<torch::Tensor> tensors;
  for (auto& p : model.parameters())
    tensors.push_back(p);
  for (auto& b : model.buffers())
    tensors.push_back(b);
  return tensors;
}

WeightEma::WeightEma(torch::nn::Module& model, double decay) : decay_(decay) {
  torch::NoGradGuard noGrad;
  for (auto& t : stateTensors(model))
    shadow_.push_back(t.detach().clone());
}

void WeightEma::update(torch::nn::Module& model) {
  torch::NoGradGuard noGrad;
  const auto params = model.parameters();
  const auto tensors = stateTensors(model);
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (i < params.size() && tensors[i].is_floating_point())
      shadow_[i].mul_(decay_).add_(tensors[i].detach(), 1.0 - decay_);
    else
      shadow_[i].copy_(tensors[i]);
  }
}

void WeightEma::resetTo(torch::nn::Module& model) {
  torch::NoGradGuard noGrad;
  const auto tensors = stateTensors(model);
  for (size_t i = 0; i < tensors.size(); ++i)
    shadow_[i].copy_(tensors[i]);
}

void WeightEma::swapInto(torch::nn::Module& model) {
  torch::NoGradGuard noGrad;
  auto tensors = stateTensors(model);
  for (size_t i = 0; i < tensors.size(); ++i) {
    auto saved = tensors[i].detach().clone();
    tensors[i].copy_(shadow_[i]);
    shadow_[i].copy_(saved);
  }
}

} // namespace lumen
