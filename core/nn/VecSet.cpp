#include "nn/VecSet.h"

#include <cmath>
#include <stdexcept>

namespace lumen {

torch::Tensor fourierFeatures(const torch::Tensor& xyz, int frequencies) {
  std::vector<torch::Tensor> parts{xyz};
  for (int k = 0; k < frequencies; ++k) {
    const auto scaled = xyz * (M_PI * std::ldexp(1.0, k));
    parts.push_back(torch::sin(scaled));
    parts.push_back(torch::cos(scaled));
  }
  return torch::cat(parts, -1);
}

torch::Tensor farthestPointSample(const torch::Tensor& points, int64_t m) {
  torch::NoGradGuard noGrad;
  const int64_t B = points.size(0), N = points.size(1);
  auto chosen = torch::zeros({B, m}, points.options().dtype(torch::kInt64));
  auto nearest = torch::full({B, N}, 1e30, points.options());
  auto current = torch::zeros({B}, chosen.options());
  const auto batch = torch::arange(B, chosen.options());
  for (int64_t s = 0; s < m; ++s) {
    chosen.select(1, s).copy_(current);
    const auto p = points.index({batch, current}).unsqueeze(1); // (B, 1, 3)
    nearest = torch::minimum(nearest, (points - p).pow(2).sum(-1));
    current = nearest.argmax(1);
  }
  return chosen;
}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(int width, int heads) : heads_(heads) {
  if (width % heads != 0)
    throw std::invalid_argument("attention width " + std::to_string(width) +
                                " is not divisible by " + std::to_string(heads) + " heads");
  q_ = register_module("q", torch::nn::Linear(torch::nn::LinearOptions(width, width).bias(false)));
  k_ = register_module("k", torch::nn::Linear(torch::nn::LinearOptions(width, width).bias(false)));
  v_ = register_module("v", torch::nn::Linear(torch::nn::LinearOptions(width, width).bias(false)));
  out_ = register_module("out", torch::nn::Linear(width, width));
}

torch::Tensor MultiHeadAttentionImpl::forward(const torch::Tensor& x,
                                              const torch::Tensor& context) {
  const int64_t B = x.size(0), Q = x.size(1), K = context.size(1), W = x.size(2);
  const int64_t d = W / heads_;
  auto split = [&](const torch::Tensor& t, int64_t n) {
    return t.view({B, n, heads_, d}).transpose(1, 2); // (B, H, n, d)
  };
  // The 1/sqrt(d) goes on the queries before the product, not on the (B, H, Q, K) scores: the
  // decoder's queries have a quarter of the scores' elements, and dividing the scores (forward
  // and backward) took 8 % of a training step in PyTorch's profile of the same network.
  const auto q = split(q_(x) * (1.0 / std::sqrt(double(d))), Q);
  const auto k = split(k_(context), K), v = split(v_(context), K);
  const auto weights = torch::softmax(torch::matmul(q, k.transpose(-2, -1)), -1);
  return out_(torch::matmul(weights, v).transpose(1, 2).reshape({B, Q, W}));
}

GegluFeedForwardImpl::GegluFeedForwardImpl(int width, int multiplier) {
  in_ = register_module("expand", torch::nn::Linear(width, 2 * multiplier * width));
  out_ = register_module("project", torch::nn::Linear(multiplier * width, width));
}

torch::Tensor GegluFeedForwardImpl::forward(const torch::Tensor& x) {
  const auto halves = in_(x).chunk(2, -1);
  return out_(halves[0] * torch::gelu(halves[1]));
}

AttentionBlockImpl::AttentionBlockImpl(int width, int heads, int ffMultiplier, bool cross) {
  normX_ = register_module("norm_x", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  if (cross)
    normContext_ =
        register_module("norm_context", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  attention_ = register_module("attention", MultiHeadAttention(width, heads));
  if (ffMultiplier > 0) {
    normFf_ =
        register_module("norm_ff", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
    ff_ = register_module("ff", GegluFeedForward(width, ffMultiplier));
  }
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
  const auto nx = normX_(x);
  const auto ctx = normContext_ ? normContext_(context) : nx;
  auto y = x + attention_(nx, ctx);
  return ff_ ? y + ff_(normFf_(y)) : y;
}

VecSetAutoencoderImpl::VecSetAutoencoderImpl(const VecSetOptions& o) : options_(o) {
  const int fourier = 3 + 6 * o.frequencies;
  pointEmbed_ = register_module("point_embed", torch::nn::Linear(fourier + o.inClasses, o.width));
  queryEmbed_ = register_module("query_embed", torch::nn::Linear(fourier, o.width));
  if (!o.fpsQueries)
    latentQueries_ =
        register_parameter("latent_queries", torch::randn({o.latents, o.width}) * 0.02);
  encoder_ = register_module("encoder", AttentionBlock(o.width, o.heads, o.ffMultiplier, true));
  const int bottleneckOut = o.bottleneck == "kl" ? 2 * o.latentChannels : o.latentChannels;
  toBottleneck_ = register_module("to_bottleneck", torch::nn::Linear(o.width, bottleneckOut));
  if (o.bottleneck != "kl")
    bottleneckNorm_ = register_module(
        "bottleneck_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.latentChannels})));
  fromBottleneck_ =
      register_module("from_bottleneck", torch::nn::Linear(o.latentChannels, o.width));
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (int i = 0; i < o.depth; ++i)
    blocks_->push_back(AttentionBlock(o.width, o.heads, o.ffMultiplier, false));
  decoder_ = register_module("decoder", AttentionBlock(o.width, o.heads, 0, true));
  outNorm_ =
      register_module("out_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.width})));
  out_ = register_module("out", torch::nn::Linear(o.width, o.outClasses));
  // Start from the prior that a point is rarely inside a given class (sigmoid(-3) = 5 %), as
  // RetinaNet does for rare positives, rather than 50 %: training skips learning the background.
  torch::NoGradGuard noGrad;
  out_->bias.fill_(-3.0);
}

VecSetEncoding VecSetAutoencoderImpl::encode(const torch::Tensor& points,
                                             const torch::Tensor& classes, at::Generator* noise) {
  const int64_t B = points.size(0);
  const auto embedded =
      pointEmbed_(torch::cat({fourierFeatures(points, options_.frequencies), classes}, -1));
  torch::Tensor queries;
  if (options_.fpsQueries) {
    const int64_t m = std::min<int64_t>(options_.latents, points.size(1));
    const auto index = farthestPointSample(points, m);
    queries = embedded.gather(1, index.unsqueeze(-1).expand({B, m, embedded.size(2)}));
  } else {
    queries = latentQueries_.unsqueeze(0).expand({B, -1, -1});
  }
  auto x = encoder_(queries, embedded);
  VecSetEncoding result;
  auto code = toBottleneck_(x);
  if (options_.bottleneck == "kl") {
    const auto parts = code.chunk(2, -1);
    const auto mean = parts[0], logVar = parts[1].clamp(-30.0, 20.0);
    if (is_training()) {
      // Drawn on the CPU from the run's generator, whatever the device, so the draws are the
      // same on every machine and resume exactly.
      const auto epsilon =
          noise ? torch::randn(mean.sizes(), *noise, mean.options().device(torch::kCPU))
                      .to(mean.device())
                : torch::randn_like(mean);
      code = mean + torch::exp(0.5 * logVar) * epsilon;
    } else {
      code = mean;
    }
    result.kl = 0.5 * (mean.pow(2) + logVar.exp() - 1.0 - logVar).mean();
  } else {
    code = bottleneckNorm_(code);
    result.kl = torch::zeros({}, x.options());
  }
  x = fromBottleneck_(code);
  for (const auto& block : *blocks_)
    x = block->as<AttentionBlock>()->forward(x);
  result.latents = x;
  return result;
}

torch::Tensor VecSetAutoencoderImpl::decode(const torch::Tensor& latents,
                                            const torch::Tensor& queries) {
  const auto q = queryEmbed_(fourierFeatures(queries, options_.frequencies));
  return out_(outNorm_(decoder_(q, latents)));
}

} // namespace lumen
