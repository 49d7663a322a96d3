// A small 2D U-Net in the conventions of UNet3d.h (GroupNorm -> 3x3 Conv -> ReLU twice per level,
// f_maps * 2^level feature maps, max pooling down, nearest upsampling + skip concatenation up, a
// 1x1 head, no output activation). The segmentation pipeline's learned slice propagator runs it
// once per slice, so it is kept small enough for ~1 ms a slice on a CPU core.
#pragma once
#include <torch/torch.h>

namespace lumen {

struct UNet2dOptions {
  int inChannels = 1;
  int outChannels = 1;
  int fMaps = 16;
  int levels = 3;
  int groups = 4;
  // H and W must be multiples of this.
  int spatialMultiple() const { return 1 << (levels - 1); }
};

// GroupNorm -> Conv2d(3x3) -> ReLU, twice.
class DoubleConv2dImpl : public torch::nn::Module {
public:
  DoubleConv2dImpl(int in, int out, int groups);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
};
TORCH_MODULE(DoubleConv2d);

class UNet2dImpl : public torch::nn::Module {
public:
  explicit UNet2dImpl(const UNet2dOptions& options);
  // x: (N, C, H, W) with H and W multiples of spatialMultiple().
  torch::Tensor forward(const torch::Tensor& x);
  const UNet2dOptions& options() const { return options_; }

private:
  UNet2dOptions options_;
  std::vector<DoubleConv2d> encoders_, decoders_;
  torch::nn::Conv2d head_{nullptr};
};
TORCH_MODULE(UNet2d);

} // namespace lumen
