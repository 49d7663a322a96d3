#include "events/DenoiseModel.h"

#include "common/Error.h"
#include "common/Job.h"
#include "common/JobPool.h"
#include "common/Log.h"
#include "train/SeededInit.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>
#include <cstring>

namespace lumen {

UNet3dOptions denoiseUNetOptions(const EventModelConfig& config) {
  UNet3dOptions options;
  options.fMaps = config.f_maps;
  options.levels = config.levels;
  options.groups = config.groups;
  options.anisotropicPooling = config.anisotropic_pooling;
  return options;
}

UNet3d makeDenoiseModel(const EventModelConfig& config) {
  UNet3d model(denoiseUNetOptions(config));
  if (config.residual) {
    // A residual denoiser starts as the identity (its correction is zero), so training starts
    // from the noisy input, the bar it has to clear, instead of a random correction to undo.
    torch::NoGradGuard noGrad;
    for (auto& parameter : model->named_parameters())
      if (parameter.key().rfind("head.", 0) == 0)
        parameter.value().zero_();
  }
  return model;
}

void checkDenoiseModelFits(const EventTrainConfig& config) {
  if (config.model.kind != "unet3d")
    return; // the per-event network reads any grid
  const UNet3dOptions unet = denoiseUNetOptions(config.model);
  const int levels = config.model.levels;
  if (config.data.bins < unet.minimumDepth()) {
    const std::string halvings = levels == 2 ? "once" : std::to_string(levels - 1) + " times";
    throw InputError("model.levels = " + std::to_string(levels) +
                     " with model.anisotropic_pooling: false halves the time axis " + halvings +
                     ", which needs data.bins >= " + std::to_string(unet.minimumDepth()) +
                     " (it is " + std::to_string(config.data.bins) +
                     "); use more bins, fewer levels or anisotropic pooling");
  }
  if (config.data.patch > 0 && config.data.patch % unet.spatialMultiple() != 0)
    throw InputError("data.patch = " + std::to_string(config.data.patch) +
                     " must be a multiple of " + std::to_string(unet.spatialMultiple()) +
                     " for a " + std::to_string(levels) + "-level U-Net (model.levels)");
}

torch::Tensor padToMultiple(const torch::Tensor& x, int multiple, const std::string& mode) {
  const int64_t h = x.size(-2), w = x.size(-1);
  const int64_t ph = (multiple - h % multiple) % multiple,
                pw = (multiple - w % multiple) % multiple;
  if (ph == 0 && pw == 0)
    return x;
  namespace F = torch::nn::functional;
  // Reflection needs the pad to be smaller than the side; fall back to zeros for tiny inputs.
  const bool reflect = mode == "reflect" && ph < h && pw < w;
  auto options = F::PadFuncOptions({0, pw, 0, ph, 0, 0});
  if (reflect)
    return F::pad(x, options.mode(torch::kReflect));
  return F::pad(x, options.mode(torch::kConstant).value(0));
}

torch::Tensor cropTo(const torch::Tensor& x, int64_t height, int64_t width) {
  using torch::indexing::Slice;
  return x.index({"...", Slice(0, height), Slice(0, width)});
}

torch::Tensor networkInput(const torch::Tensor& counts, VoxelNormalization mode) {
  if (mode == VoxelNormalization::None)
    return counts;
  // One definition of each normalisation (the voxel grid's), sample by sample on the CPU.
  const torch::Tensor source = counts.to(torch::kCPU, torch::kFloat32).contiguous();
  torch::Tensor out = torch::empty_like(source);
  VoxelGrid grid;
  grid.bins = int(source.size(2));
  grid.height = int(source.size(3));
  grid.width = int(source.size(4));
  const size_t perSample = size_t(source[0].numel());
  const float* from = source.data_ptr<float>();
  float* to = out.data_ptr<float>();
  for (int64_t i = 0; i < source.size(0); ++i) {
    grid.values.assign(from + size_t(i) * perSample, from + size_t(i + 1) * perSample);
    normalizeVoxelGrid(grid, mode, VoxelOptions{}.percentile);
    std::memcpy(to + size_t(i) * perSample, grid.values.data(), perSample * sizeof(float));
  }
  return out.to(counts.device());
}

torch::Tensor predictCounts(UNet3d& model, const torch::Tensor& input, const torch::Tensor& counts,
                            const EventTrainConfig& config) {
  const auto output =
      cropTo(model->forward(padToMultiple(input, model->spatialMultiple(), config.data.pad)),
             counts.size(-2), counts.size(-1));
  return config.model.residual ? counts + output : output;
}

std::vector<VoxelGrid> denoiseGrids(UNet3d& model, const std::vector<VoxelGrid>& counts,
                                    const EventTrainConfig& config, const torch::Device& device) {
  if (counts.empty())
    return {};
  torch::NoGradGuard noGrad;
  const VoxelGrid& first = counts.front();
  const size_t perGrid = first.values.size();
  auto cpu = torch::empty({int64_t(counts.size()), 1, first.bins, first.height, first.width});
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i].values.size() != perGrid || counts[i].bins != first.bins)
      throw InputError("grids denoised together must have one shape");
    std::memcpy(cpu.data_ptr<float>() + i * perGrid, counts[i].values.data(),
                perGrid * sizeof(float));
  }
  const auto x = cpu.to(device);
  const auto input = networkInput(cpu, parseVoxelNormalization(config.data.normalization));
  const auto output =
      predictCounts(model, input.to(device), x, config).to(torch::kCPU).contiguous();
  std::vector<VoxelGrid> out = counts;
  for (size_t i = 0; i < out.size(); ++i)
    std::memcpy(out[i].values.data(), output.data_ptr<float>() + i * perGrid,
                perGrid * sizeof(float));
  return out;
}

torch::Tensor voxelLoss(const torch::Tensor& prediction, const torch::Tensor& target,
                        const std::string& kind) {
  if (kind == "l1")
    return torch::l1_loss(prediction, target);
  if (kind == "smooth_l1")
    return torch::smooth_l1_loss(prediction, target);
  return torch::mse_loss(prediction, target);
}

EventDenoiseTask::EventDenoiseTask(const EventTrainConfig& config, VoxelPairSamples data)
    : config_(config), normalization_(parseVoxelNormalization(config.data.normalization)),
      data_(std::move(data)) {
  checkDenoiseModelFits(config);
  if (data_.bins() != config.data.bins)
    throw InputError("the prepared voxel pairs have " + std::to_string(data_.bins()) +
                     " bins, data.bins says " + std::to_string(config.data.bins));
  const int patch = config.data.patch;
  if (patch > 0 && (patch > data_.height() || patch > data_.width()))
    throw InputError("data.patch = " + std::to_string(patch) + " is larger than the " +
                     std::to_string(data_.width()) + "x" + std::to_string(data_.height()) +
                     " sensor");
  model_ =
      seededInit(uint64_t(config.trainer.seed), [&] { return makeDenoiseModel(config.model); });
  for (size_t i = 0; i < data_.samples(); ++i)
    (data_.validation()[i] ? valIndex_ : trainIndex_).push_back(int64_t(i));
  if (trainIndex_.empty())
    throw InputError("the prepared dataset has no training samples (all files were assigned to "
                     "validation; lower data.val_fraction or add recordings)");
  // PSNR's data range: the largest clean count of the validation set, one sample at a time.
  double range = 0.0;
  for (const int64_t k : valIndex_)
    range = std::max(range, sample(k).second.abs().max().item<double>());
  if (!valIndex_.empty())
    dataRange_ = std::max(1e-6, range);
}

std::pair<torch::Tensor, torch::Tensor> EventDenoiseTask::sample(int64_t k) const {
  const std::vector<int64_t> shape{1, 1, data_.bins(), data_.height(), data_.width()};
  auto raw = torch::empty(shape), label = torch::empty(shape);
  data_.read(uint64_t(k), raw.data_ptr<float>(), label.data_ptr<float>());
  return {raw, label};
}

void EventDenoiseTask::to(const torch::Device& device) {
  device_ = device;
  model_->to(device);
}

int64_t EventDenoiseTask::batchesPerEpoch() const {
  return shardedBatchCount(int64_t(trainIndex_.size()), config_.data.batch_size);
}

EventDenoiseTask::~EventDenoiseTask() {
  if (prefetch_.job) {
    prefetch_.job->requestCancel();
    prefetch_.job->wait();
  }
}

std::vector<EventDenoiseTask::Pair>
EventDenoiseTask::batchPairs(const std::vector<BatchSample>& samples, int64_t epoch,
                             int64_t batch) {
  if (prefetch_.job && prefetch_.epoch == epoch && prefetch_.batch == batch) {
    JobPtr job = std::move(prefetch_.job);
    // A read that has not started yet (every worker of the pool busy) is done here instead of
    // waited for: waiting could wait forever.
    if (job->state() == JobState::Queued)
      job->requestCancel();
    job->wait();
    if (job->state() == JobState::Succeeded)
      return std::move(*prefetch_.pairs);
    if (job->state() == JobState::Failed)
      job->get(); // the read's own error (a damaged chunk, a file gone)
  }
  std::vector<Pair> pairs;
  for (const auto& s : samples)
    pairs.push_back(sample(trainIndex_[size_t(s.index)]));
  return pairs;
}

void EventDenoiseTask::prefetch(int64_t epoch, int64_t batch) {
  JobPool* pool = JobPool::current();
  if (!pool)
    return; // a training outside any pool (a test's direct fit) reads each batch when it trains
  if (batch >= batchesPerEpoch()) {
    ++epoch;
    batch = 0;
  }
  std::vector<int64_t> indices;
  for (const auto& s : shardedBatch(int64_t(trainIndex_.size()), config_.data.batch_size,
                                    uint64_t(config_.trainer.seed), epoch, batch))
    indices.push_back(trainIndex_[size_t(s.index)]);
  auto pairs = std::make_shared<std::vector<Pair>>();
  auto job = makeJob("read voxel pairs", [this, indices, pairs](Job& self) {
    for (const int64_t k : indices) {
      self.checkCancelled();
      pairs->push_back(sample(k));
    }
  });
  job->setSilent();
  prefetch_ = {epoch, batch, pool->submit(job), pairs};
}

StepOutput EventDenoiseTask::trainStep(int64_t epoch, int64_t batch) {
  using torch::indexing::Slice;
  const auto samples = shardedBatch(int64_t(trainIndex_.size()), config_.data.batch_size,
                                    uint64_t(config_.trainer.seed), epoch, batch);
  auto pairs = batchPairs(samples, epoch, batch);
  // The next batch is read while this one trains.
  prefetch(epoch, batch + 1);
  std::vector<torch::Tensor> inputs, counts, targets;
  const int patch = config_.data.patch;
  const int64_t H = data_.height(), W = data_.width();
  for (size_t k = 0; k < samples.size(); ++k) {
    // Crop positions depend only on (seed, epoch, position): a resumed run sees the same
    // patches, and so does a run on several processes.
    auto generator = sampleGenerator(uint64_t(config_.trainer.seed), epoch, samples[k].position);
    auto [x, y] = pairs[k];
    // Normalised over the whole frame before cropping: inference normalises whole frames.
    auto input = networkInput(x, normalization_);
    if (patch > 0) {
      const int64_t top = torch::randint(H - patch + 1, {1}, generator).item<int64_t>();
      const int64_t left = torch::randint(W - patch + 1, {1}, generator).item<int64_t>();
      const auto crop = [&](const torch::Tensor& t) {
        return t.index({"...", Slice(top, top + patch), Slice(left, left + patch)});
      };
      x = crop(x);
      y = crop(y);
      input = crop(input);
    }
    inputs.push_back(input);
    counts.push_back(x);
    targets.push_back(y);
  }
  const auto x = torch::cat(counts).to(device_);
  const auto input =
      normalization_ == VoxelNormalization::None ? x : torch::cat(inputs).to(device_);
  const auto prediction = predictCounts(model_, input, x, config_);
  StepOutput out;
  out.loss = voxelLoss(prediction, torch::cat(targets).to(device_), config_.loss);
  return out;
}

std::map<std::string, double> EventDenoiseTask::validate(Job* job) {
  if (valIndex_.empty())
    return {};
  torch::NoGradGuard noGrad;
  double loss = 0, mse = 0, inputLoss = 0, inputMse = 0;
  const auto n = int64_t(valIndex_.size());
  for (const int64_t k : valIndex_) {
    if (job)
      job->checkCancelled();
    const auto [counts, label] = sample(k);
    const auto x = counts.to(device_);
    const auto y = label.to(device_);
    const auto prediction =
        predictCounts(model_, networkInput(counts, normalization_).to(device_), x, config_);
    loss += voxelLoss(prediction, y, config_.loss).item<double>();
    mse += torch::mse_loss(prediction, y).item<double>();
    inputLoss += voxelLoss(x, y, config_.loss).item<double>();
    inputMse += torch::mse_loss(x, y).item<double>();
  }
  const double range2 = dataRange_ * dataRange_;
  auto psnr = [&](double error) { return 10.0 * std::log10(range2 / std::max(error, 1e-12)); };
  if (mse > inputMse)
    logWarning("validation: the denoiser's PSNR ", std::round(psnr(mse / double(n)) * 100) / 100,
               " dB is below the noisy input's ",
               std::round(psnr(inputMse / double(n)) * 100) / 100,
               " dB: it changes the counts for the worse (a best.pt saved now is not a denoiser)");
  return {{"loss", loss / double(n)},
          {"mse", mse / double(n)},
          {"psnr", psnr(mse / double(n))},
          {"loss_noisy_input", inputLoss / double(n)},
          {"psnr_noisy_input", psnr(inputMse / double(n))}};
}

} // namespace lumen
