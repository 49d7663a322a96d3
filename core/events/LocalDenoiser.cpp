#include "events/LocalDenoiser.h"

#include "common/Error.h"
#include "common/Job.h"
#include "common/Log.h"
#include "train/SeededInit.h"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <cmath>

namespace lumen {

int localFeatureCount(int bins, int radius) {
  const int side = 2 * radius + 1;
  return bins * side * side + bins;
}

namespace {

// Voxel batches stay this small: a step's features are rows x features floats (16,384 rows for
// the default batch of 4).
constexpr size_t kTrainVoxelsPerSample = 4096;
constexpr size_t kValidationVoxels = 200000;

} // namespace

std::vector<float> compressCounts(const float* counts, size_t n) {
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = counts[i] >= 0.0f ? std::log1p(counts[i]) : -std::log1p(-counts[i]);
  return out;
}

void localFeatures(const float* compressed, int bins, int height, int width, int radius,
                   const std::vector<LocalQuery>& queries, float* out) {
  const size_t features = size_t(localFeatureCount(bins, radius));
  const size_t plane = size_t(height) * size_t(width);
  for (size_t q = 0; q < queries.size(); ++q) {
    const LocalQuery& query = queries[q];
    float* row = out + q * features;
    for (int b = 0; b < bins; ++b) {
      const float* slice = compressed + size_t(b) * plane;
      for (int dy = -radius; dy <= radius; ++dy) {
        const int y = query.y + dy;
        for (int dx = -radius; dx <= radius; ++dx) {
          const int x = query.x + dx;
          const bool inside = y >= 0 && y < height && x >= 0 && x < width;
          // The compression is odd: signing by polarity commutes with it.
          *row++ = inside ? query.polarity * slice[size_t(y) * width + x] : 0.0f;
        }
      }
    }
    std::fill(row, row + bins, 0.0f);
    row[query.b0] = 1.0f - query.w1;
    if (query.w1 > 0.0f && query.b0 + 1 < bins)
      row[query.b0 + 1] = query.w1;
  }
}

LocalEventNetImpl::LocalEventNetImpl(int bins, int radius, int hidden)
    : bins_(bins), radius_(radius) {
  if (bins < 1 || radius < 0 || radius > 8 || hidden < 1)
    throw InputError("the per-event denoiser needs bins >= 1, 0 <= model.radius <= 8 and "
                     "model.hidden >= 1");
  const int features = localFeatureCount(bins, radius);
  in_ = register_module("first", torch::nn::Linear(features, hidden));
  mid_ = register_module("second", torch::nn::Linear(hidden, hidden));
  out_ = register_module("last", torch::nn::Linear(hidden, 1));
  // An untrained network keeps every event (score 0.9 whatever its features), as the residual
  // U-Net starts as the identity: training starts from the do-nothing denoiser, the bar it has
  // to clear, and a run stopped after its first epochs still writes the recording it was given.
  torch::NoGradGuard noGrad;
  out_->weight.zero_();
  out_->bias.fill_(std::log(0.9f / 0.1f));
}

torch::Tensor LocalEventNetImpl::forward(const torch::Tensor& features) {
  auto h = torch::relu(in_->forward(features));
  h = torch::relu(mid_->forward(h));
  return out_->forward(h).squeeze(-1);
}

LocalEventNet makeLocalEventNet(const EventTrainConfig& config) {
  return LocalEventNet(config.data.bins, config.model.radius, config.model.hidden);
}

std::vector<float> scoreEventsLocally(LocalEventNet& net, const EventArray& events, size_t begin,
                                      size_t end, const VoxelGrid& grid,
                                      const VoxelOptions& options, const torch::Device& device) {
  end = std::min(end, events.size());
  begin = std::min(begin, end);
  if (grid.bins != net->bins())
    throw InputError("the grid has " + std::to_string(grid.bins) + " bins, the network " +
                     std::to_string(net->bins()));
  std::vector<LocalQuery> queries(end - begin);
  const int64_t span = std::max<int64_t>(1, grid.tEnd - grid.tStart);
  const int lastBin = grid.bins - 1;
  for (size_t i = begin; i < end; ++i) {
    if (events.x[i] >= grid.width || events.y[i] >= grid.height)
      throw InputError("event " + std::to_string(i) + " lies outside the " +
                       std::to_string(grid.width) + "x" + std::to_string(grid.height) + " grid");
    LocalQuery& q = queries[i - begin];
    q.x = events.x[i];
    q.y = events.y[i];
    q.polarity = events.p[i] > 0 ? 1.0f : -1.0f;
    const double elapsed = double(events.t[i] - grid.tStart);
    if (options.hard) {
      q.b0 = int(std::clamp(std::floor(elapsed * grid.bins / double(span)), 0.0, double(lastBin)));
    } else {
      const double tn = std::clamp(elapsed * lastBin / double(span), 0.0, double(lastBin));
      q.b0 = int(tn);
      q.w1 = q.b0 < lastBin ? float(tn - q.b0) : 0.0f;
    }
  }
  std::vector<float> scores(queries.size());
  if (queries.empty())
    return scores;
  torch::NoGradGuard noGrad;
  const int features = localFeatureCount(grid.bins, net->radius());
  auto input = torch::empty({int64_t(queries.size()), features});
  const auto compressed = compressCounts(grid.values.data(), grid.values.size());
  localFeatures(compressed.data(), grid.bins, grid.height, grid.width, net->radius(), queries,
                input.data_ptr<float>());
  const auto share = torch::sigmoid(net->forward(input.to(device))).to(torch::kCPU).contiguous();
  std::copy(share.data_ptr<float>(), share.data_ptr<float>() + scores.size(), scores.begin());
  return scores;
}

EventLocalTask::EventLocalTask(const EventTrainConfig& config, VoxelPairSet data)
    : config_(config), data_(std::move(data)) {
  if (data_.bins != config.data.bins)
    throw InputError("the prepared voxel pairs have " + std::to_string(data_.bins) +
                     " bins, data.bins says " + std::to_string(config.data.bins));
  const size_t values =
      data_.samples() * size_t(data_.bins) * size_t(data_.height) * size_t(data_.width);
  if (data_.raw.size() != values || data_.label.size() != values)
    throw InputError("the prepared voxel pairs hold " + std::to_string(data_.raw.size()) +
                     " raw and " + std::to_string(data_.label.size()) + " label values, expected " +
                     std::to_string(values));
  for (size_t i = 0; i < data_.samples(); ++i)
    (data_.validation[i] ? valIndex_ : trainIndex_).push_back(int64_t(i));
  compressedRaw_ = compressCounts(data_.raw.data(), data_.raw.size());
  if (trainIndex_.empty())
    throw InputError("the prepared dataset has no training samples (all files were assigned to "
                     "validation; lower data.val_fraction or add recordings)");
  net_ = seededInit(uint64_t(config.trainer.seed), [&] { return makeLocalEventNet(config); });
}

void EventLocalTask::to(const torch::Device& device) {
  device_ = device;
  net_->to(device);
}

int64_t EventLocalTask::batchesPerEpoch() const {
  return shardedBatchCount(int64_t(trainIndex_.size()), config_.data.batch_size);
}

EventLocalTask::Voxels EventLocalTask::gather(const std::vector<int64_t>& index, size_t limit,
                                              at::Generator* generator) const {
  const size_t plane = size_t(data_.height) * size_t(data_.width);
  const size_t perSample = plane * size_t(data_.bins);
  std::vector<std::pair<int64_t, size_t>> voxels; // (sample, offset in it)
  for (int64_t sample : index) {
    const float* raw = data_.raw.data() + size_t(sample) * perSample;
    for (size_t v = 0; v < perSample; ++v)
      if (raw[v] != 0.0f)
        voxels.emplace_back(sample, v);
  }
  if (voxels.size() > limit) {
    // A seeded draw: a resumed run sees the same voxels.
    const auto order =
        torch::randperm(int64_t(voxels.size()),
                        generator ? *generator : at::detail::createCPUGenerator(0), torch::kLong);
    std::vector<std::pair<int64_t, size_t>> drawn(limit);
    const int64_t* pick = order.data_ptr<int64_t>();
    for (size_t k = 0; k < limit; ++k)
      drawn[k] = voxels[size_t(pick[k])];
    voxels.swap(drawn);
  }
  const int features = localFeatureCount(data_.bins, config_.model.radius);
  Voxels out;
  out.features = torch::empty({int64_t(voxels.size()), features});
  out.target = torch::empty({int64_t(voxels.size())});
  float* row = out.features.data_ptr<float>();
  float* target = out.target.data_ptr<float>();
  std::vector<LocalQuery> one(1);
  for (size_t k = 0; k < voxels.size(); ++k) {
    const auto [sample, offset] = voxels[k];
    const float* raw = data_.raw.data() + size_t(sample) * perSample;
    const float* label = data_.label.data() + size_t(sample) * perSample;
    LocalQuery& q = one[0];
    q.b0 = int(offset / plane);
    q.y = int((offset % plane) / size_t(data_.width));
    q.x = int(offset % size_t(data_.width));
    q.w1 = 0.0f;
    q.polarity = raw[offset] > 0 ? 1.0f : -1.0f;
    localFeatures(compressedRaw_.data() + size_t(sample) * perSample, data_.bins, data_.height,
                  data_.width, config_.model.radius, one, row + k * size_t(features));
    target[k] = std::clamp(label[offset] / raw[offset], 0.0f, 1.0f);
  }
  return out;
}

StepOutput EventLocalTask::trainStep(int64_t epoch, int64_t batch) {
  const auto samples = shardedBatch(int64_t(trainIndex_.size()), config_.data.batch_size,
                                    uint64_t(config_.trainer.seed), epoch, batch);
  // Each sample gives at most kTrainVoxelsPerSample of its voxels, drawn from a generator of its
  // own (seed, epoch, position), and weighs the same in the loss whatever its count: the loss is
  // the sum of the samples' mean losses over the batch size. The shards of a data-parallel run
  // then average to exactly what one process computes for the whole global batch.
  std::vector<torch::Tensor> features, targets;
  std::vector<int64_t> counts;
  for (const auto& [index, position] : samples) {
    auto generator = sampleGenerator(uint64_t(config_.trainer.seed), epoch, position);
    Voxels voxels = gather({trainIndex_[size_t(index)]}, kTrainVoxelsPerSample, &generator);
    counts.push_back(voxels.target.size(0));
    features.push_back(std::move(voxels.features));
    targets.push_back(std::move(voxels.target));
  }
  const auto perVoxel = torch::binary_cross_entropy_with_logits(
      net_->forward(torch::cat(features).to(device_)), torch::cat(targets).to(device_), {}, {},
      at::Reduction::None);
  auto loss = torch::zeros({}, perVoxel.options());
  int64_t offset = 0;
  for (const int64_t count : counts) {
    if (count > 0)
      loss = loss + perVoxel.slice(0, offset, offset + count).mean();
    offset += count;
  }
  StepOutput out;
  out.loss = loss / double(std::max<size_t>(samples.size(), 1));
  return out;
}

std::map<std::string, double> EventLocalTask::validate(Job* job) {
  if (valIndex_.empty())
    return {};
  if (job)
    job->checkCancelled();
  torch::NoGradGuard noGrad;
  // A fixed draw, the same at every validation: the curves compare like with like.
  auto generator = at::detail::createCPUGenerator(12345);
  const Voxels voxels = gather(valIndex_, kValidationVoxels, &generator);
  const auto target = voxels.target.to(device_);
  const auto logits = net_->forward(voxels.features.to(device_));
  const double loss = torch::binary_cross_entropy_with_logits(logits, target).item<double>();
  const double mse = torch::mse_loss(torch::sigmoid(logits), target).item<double>();
  const double keepAll = torch::mse_loss(torch::ones_like(target), target).item<double>();
  auto psnr = [](double error) { return 10.0 * std::log10(1.0 / std::max(error, 1e-12)); };
  if (mse > keepAll)
    logWarning("validation: the per-event denoiser's PSNR ", std::round(psnr(mse) * 100) / 100,
               " dB is below keeping every event's ", std::round(psnr(keepAll) * 100) / 100,
               " dB: it removes more signal than noise (a best.pt saved now is not a denoiser)");
  return {{"loss", loss},
          {"mse", mse},
          {"psnr", psnr(mse)},
          {"mse_noisy_input", keepAll},
          {"psnr_noisy_input", psnr(keepAll)}};
}

} // namespace lumen
