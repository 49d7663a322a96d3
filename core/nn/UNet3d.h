// A 3D U-Net in the conventions of pytorch-3dunet: each level is a double convolution of
// GroupNorm -> 3x3x3 Conv -> ReLU blocks, feature maps f_maps * 2^level, max pooling between
// levels, nearest-neighbour upsampling + concatenation with the skip connection on the way up,
// a final 1x1x1 convolution and no output activation. Pooling can be anisotropic (1, 2, 2) so a
// shallow depth (8 temporal bins) survives 4-5 levels. A residual connection is left to the
// caller: the event denoiser adds its correction to event counts, while the network itself may
// see a normalised copy of them.
#pragma once
#include <torch/torch.h>

namespace lumen {

struct UNet3dOptions {
  int inChannels = 1;
  int outChannels = 1;
  int fMaps = 16;
  int levels = 4;
  int groups = 8;
  bool anisotropicPooling = true; // pool (1, 2, 2) instead of (2, 2, 2)
  // The multiple H and W must be padded to.
  int spatialMultiple() const { return 1 << (levels - 1); }
  // The fewest depth slices D the poolings leave at least one of.
  int minimumDepth() const { return anisotropicPooling ? 1 : spatialMultiple(); }
};

// A stride-1 convolution without bias, zero-padded to keep the size (odd kernels), through
// oneDNN's kernel when x is a float CPU tensor (same result and gradients as torch::conv3d,
// several times faster than LibTorch's CPU dispatch for few-channel 3D convolutions).
torch::Tensor sameConv3d(const torch::Tensor& x, const torch::Tensor& weight);

// GroupNorm -> Conv3d(3x3x3) -> ReLU, twice.
class DoubleConv3dImpl : public torch::nn::Module {
public:
  DoubleConv3dImpl(int in, int out, int groups);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv3d conv1{nullptr}, conv2{nullptr};
};
TORCH_MODULE(DoubleConv3d);

class UNet3dImpl : public torch::nn::Module {
public:
  explicit UNet3dImpl(const UNet3dOptions& options);
  // x: (N, C, D, H, W) with H and W divisible by 2^(levels-1) (and D at least that for isotropic
  // pooling).
  torch::Tensor forward(const torch::Tensor& x);
  const UNet3dOptions& options() const { return options_; }
  int spatialMultiple() const { return options_.spatialMultiple(); }

private:
  UNet3dOptions options_;
  std::vector<DoubleConv3d> encoders_, decoders_;
  torch::nn::Conv3d head_{nullptr};
};
TORCH_MODULE(UNet3d);

// Largest group count <= wanted that divides channels (GroupNorm needs it).
int groupsFor(int channels, int wanted);

} // namespace lumen
