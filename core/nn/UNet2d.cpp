#include "nn/UNet2d.h"

#include "common/Error.h"
#include "nn/UNet3d.h"

namespace lumen {

DoubleConv2dImpl::DoubleConv2dImpl(int in, int out, int groups) {
  namespace nn = torch::nn;
  norm1 = register_module("norm1", nn::GroupNorm(groupsFor(in, groups), in));
  conv1 =
      register_module("conv1", nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
  norm2 = register_module("norm2", nn::GroupNorm(groupsFor(out, groups), out));
  conv2 =
      register_module("conv2", nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1).bias(false)));
}

torch::Tensor DoubleConv2dImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(conv1->forward(norm1->forward(x)));
  return torch::relu(conv2->forward(norm2->forward(y)));
}

UNet2dImpl::UNet2dImpl(const UNet2dOptions& options) : options_(options) {
  if (options.levels < 1 || options.levels > 6)
    throw InputError("U-Net levels must be between 1 and 6");
  if (options.fMaps < 1)
    throw InputError("U-Net f_maps must be positive");
  int in = options.inChannels;
  for (int level = 0; level < options.levels; ++level) {
    const int out = options.fMaps << level;
    encoders_.push_back(
        register_module("encoder" + std::to_string(level), DoubleConv2d(in, out, options.groups)));
    in = out;
  }
  for (int level = options.levels - 2; level >= 0; --level) {
    const int skip = options.fMaps << level;
    decoders_.push_back(register_module("decoder" + std::to_string(level),
                                        DoubleConv2d(in + skip, skip, options.groups)));
    in = skip;
  }
  head_ = register_module("head",
                          torch::nn::Conv2d(torch::nn::Conv2dOptions(in, options.outChannels, 1)));
}

torch::Tensor UNet2dImpl::forward(const torch::Tensor& x) {
  const int64_t multiple = options_.spatialMultiple();
  if (x.dim() != 4 || x.size(2) % multiple != 0 || x.size(3) % multiple != 0)
    throw InputError("a " + std::to_string(options_.levels) +
                     "-level 2D U-Net needs (N, C, H, W) input with H and W multiples of " +
                     std::to_string(multiple));
  std::vector<torch::Tensor> skips;
  torch::Tensor y = x;
  for (size_t level = 0; level < encoders_.size(); ++level) {
    if (level > 0)
      y = torch::max_pool2d(y, 2, 2);
    y = encoders_[level]->forward(y);
    skips.push_back(y);
  }
  for (size_t k = 0; k < decoders_.size(); ++k) {
    const auto& skip = skips[skips.size() - 2 - k];
    namespace F = torch::nn::functional;
    y = F::interpolate(y, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{skip.size(2), skip.size(3)})
                              .mode(torch::kNearest));
    y = decoders_[k]->forward(torch::cat({skip, y}, 1));
  }
  return head_->forward(y);
}

} // namespace lumen
