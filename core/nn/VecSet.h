// The VecSet shape autoencoder (Zhang et al., 3DShape2VecSet, SIGGRAPH 2023) for labelled point
// sets. A shape is a set of surface points, each with a one-hot class. Encoding:
// Fourier features of xyz concatenated with the class -> linear to `width`; M latent queries
// (learnable, or the embeddings of farthest-point-sampled input points) cross-attend to the
// points, followed by a GEGLU feed-forward; a bottleneck (a KL-regularised Gaussian, or a
// layer-normalised projection) squeezes each latent to `latentChannels`; `depth` blocks of
// self-attention + GEGLU feed-forward mix the latent set. Decoding: Fourier-embedded query
// points cross-attend to the latents (no feed-forward, as in VecSet, which keeps dense decoding
// cheap) -> one logit per class (independent occupancies).
#pragma once
#include <string>
#include <torch/torch.h>

namespace lumen {

struct VecSetOptions {
  int inClasses = 10;  // one-hot channels of the input points
  int outClasses = 10; // logits per query point
  int width = 128;
  int latents = 128;
  int depth = 4;
  int heads = 4;
  int frequencies = 8;           // Fourier octaves per axis: sin/cos(2^k pi x), k < frequencies
  int latentChannels = 32;       // bottleneck channels per latent
  std::string bottleneck = "kl"; // kl | layernorm
  bool fpsQueries = false;       // latent queries from farthest-point-sampled input points
  int ffMultiplier = 4;          // GEGLU hidden width = ffMultiplier * width
};

// xyz -> (xyz, sin(2^k pi xyz), cos(2^k pi xyz)): 3 + 6 * frequencies channels.
torch::Tensor fourierFeatures(const torch::Tensor& xyz, int frequencies);

// Indices (B, M) of M farthest-point samples of points (B, N, 3), starting at point 0.
torch::Tensor farthestPointSample(const torch::Tensor& points, int64_t m);

class MultiHeadAttentionImpl : public torch::nn::Module {
public:
  MultiHeadAttentionImpl(int width, int heads);
  // x (B, Q, W) attends to context (B, K, W).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);

private:
  int heads_;
  torch::nn::Linear q_{nullptr}, k_{nullptr}, v_{nullptr}, out_{nullptr};
};
TORCH_MODULE(MultiHeadAttention);

class GegluFeedForwardImpl : public torch::nn::Module {
public:
  GegluFeedForwardImpl(int width, int multiplier);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::Linear in_{nullptr}, out_{nullptr};
};
TORCH_MODULE(GegluFeedForward);

// Pre-norm attention (self-attention when no context is given) and, when ffMultiplier > 0, a
// feed-forward; both residual.
class AttentionBlockImpl : public torch::nn::Module {
public:
  AttentionBlockImpl(int width, int heads, int ffMultiplier, bool cross);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {});

private:
  torch::nn::LayerNorm normX_{nullptr}, normContext_{nullptr}, normFf_{nullptr};
  MultiHeadAttention attention_{nullptr};
  GegluFeedForward ff_{nullptr};
};
TORCH_MODULE(AttentionBlock);

struct VecSetEncoding {
  torch::Tensor latents; // (B, M, width), after the latent self-attention blocks
  torch::Tensor kl;      // scalar: mean KL divergence per latent channel (0 without KL)
};

class VecSetAutoencoderImpl : public torch::nn::Module {
public:
  explicit VecSetAutoencoderImpl(const VecSetOptions& options);

  // points (B, N, 3) in normalised units, classes (B, N, inClasses) one-hot. In training mode the
  // KL bottleneck samples, drawing from `noise` (a run's own generator; LibTorch's global one
  // when null); in eval mode it takes the mean, so encoding is deterministic.
  VecSetEncoding encode(const torch::Tensor& points, const torch::Tensor& classes,
                        at::Generator* noise = nullptr);
  // latents (B, M, width), queries (B, Q, 3) -> logits (B, Q, outClasses).
  torch::Tensor decode(const torch::Tensor& latents, const torch::Tensor& queries);

private:
  VecSetOptions options_;
  torch::nn::Linear pointEmbed_{nullptr}, queryEmbed_{nullptr};
  torch::Tensor latentQueries_; // (M, width), unless fpsQueries
  AttentionBlock encoder_{nullptr};
  torch::nn::Linear toBottleneck_{nullptr}, fromBottleneck_{nullptr};
  torch::nn::LayerNorm bottleneckNorm_{nullptr};
  torch::nn::ModuleList blocks_;
  AttentionBlock decoder_{nullptr};
  torch::nn::LayerNorm outNorm_{nullptr};
  torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(VecSetAutoencoder);

} // namespace lumen
