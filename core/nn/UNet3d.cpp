#include "nn/UNet3d.h"

#include "common/Error.h"

namespace lumen {

int groupsFor(int channels, int wanted) {
  for (int g = std::min(channels, wanted); g > 1; --g)
    if (channels % g == 0)
      return g;
  return 1;
}

DoubleConv3dImpl::DoubleConv3dImpl(int in, int out, int groups) {
  namespace nn = torch::nn;
  norm1 = register_module("norm1", nn::GroupNorm(groupsFor(in, groups), in));
  conv1 =
      register_module("conv1", nn::Conv3d(nn::Conv3dOptions(in, out, 3).padding(1).bias(false)));
  norm2 = register_module("norm2", nn::GroupNorm(groupsFor(out, groups), out));
  conv2 =
      register_module("conv2", nn::Conv3d(nn::Conv3dOptions(out, out, 3).padding(1).bias(false)));
}

torch::Tensor sameConv3d(const torch::Tensor& x, const torch::Tensor& weight) {
  const std::vector<int64_t> padding{weight.size(2) / 2, weight.size(3) / 2, weight.size(4) / 2};
  // LibTorch's CPU conv3d dispatch takes a slow path for the few-channel 3x3x3 convolutions of
  // a small U-Net (3.5 GFLOP/s on 2 cores here); oneDNN's kernel does the same arithmetic, with
  // gradients, 3-5 times faster. Other devices and types keep the generic path.
  if (x.is_cpu() && x.scalar_type() == torch::kFloat32 && torch::hasMKLDNN() &&
      at::globalContext().userEnabledMkldnn())
    return at::mkldnn_convolution(x.contiguous(), weight, c10::nullopt, padding, {1, 1, 1},
                                  {1, 1, 1}, 1);
  return torch::conv3d(x, weight, {}, 1, padding);
}

torch::Tensor DoubleConv3dImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(sameConv3d(norm1->forward(x), conv1->weight));
  return torch::relu(sameConv3d(norm2->forward(y), conv2->weight));
}

UNet3dImpl::UNet3dImpl(const UNet3dOptions& options) : options_(options) {
  if (options.levels < 1 || options.levels > 6)
    throw InputError("U-Net levels must be between 1 and 6");
  if (options.fMaps < 1)
    throw InputError("U-Net f_maps must be positive");
  int in = options.inChannels;
  for (int level = 0; level < options.levels; ++level) {
    const int out = options.fMaps << level;
    encoders_.push_back(
        register_module("encoder" + std::to_string(level), DoubleConv3d(in, out, options.groups)));
    in = out;
  }
  for (int level = options.levels - 2; level >= 0; --level) {
    const int skip = options.fMaps << level;
    decoders_.push_back(register_module("decoder" + std::to_string(level),
                                        DoubleConv3d(in + skip, skip, options.groups)));
    in = skip;
  }
  head_ = register_module("head",
                          torch::nn::Conv3d(torch::nn::Conv3dOptions(in, options.outChannels, 1)));
}

torch::Tensor UNet3dImpl::forward(const torch::Tensor& x) {
  // Pooling a single slice with a kernel of 2 fails deep inside LibTorch with no hint why.
  if (x.dim() == 5 && x.size(2) < options_.minimumDepth())
    throw InputError("a " + std::to_string(options_.levels) +
                     "-level U-Net with isotropic pooling needs at least " +
                     std::to_string(options_.minimumDepth()) + " depth slices, got " +
                     std::to_string(x.size(2)));
  const std::vector<int64_t> pool =
      options_.anisotropicPooling ? std::vector<int64_t>{1, 2, 2} : std::vector<int64_t>{2, 2, 2};
  std::vector<torch::Tensor> skips;
  torch::Tensor y = x;
  for (size_t level = 0; level < encoders_.size(); ++level) {
    if (level > 0)
      y = torch::max_pool3d(y, pool, pool);
    y = encoders_[level]->forward(y);
    skips.push_back(y);
  }
  for (size_t k = 0; k < decoders_.size(); ++k) {
    const auto& skip = skips[skips.size() - 2 - k];
    namespace F = torch::nn::functional;
    y = F::interpolate(y, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{skip.size(2), skip.size(3), skip.size(4)})
                              .mode(torch::kNearest));
    y = decoders_[k]->forward(torch::cat({skip, y}, 1));
  }
  return head_->forward(y);
}

} // namespace lumen
