#include "events/DenoiseModel.h"

#include "common/Error.h"
#include "common/Job.h"
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

namespace {

// The samples `index` of `values` (samples x perSample floats) as (n, 1, B, H, W).
torch::Tensor gatherSamples(const std::vector<float>& values, const std::vector<int64_t>& index,
                            const VoxelPairSet& data) {
  const size_t perSample = size_t(data.bins) * size_t(data.height) * size_t(data.width);
  auto out = torch::empty({int64_t(index.size()), 1, data.bins, data.height, data.width});
  float* to = out.data_ptr<float>();
  for (size_t k = 0; k < index.size(); ++k)
    std::memcpy(to + k * perSample, values.data() + size_t(index[k]) * perSample,
                perSample * sizeof(float));
  return out;
}

} // namespace

EventDenoiseTask::EventDenoiseTask(const EventTrainConfig& config, VoxelPairSet data)
    : config_(config), normalization_(parseVoxelNormalization(config.data.normalization)) {
  checkDenoiseModelFits(config);
  if (data.bins != config.data.bins)
    throw InputError("the prepared voxel pairs have " + std::to_string(data.bins) +
                     " bins, data.bins says " + std::to_string(config.data.bins));
  const size_t values =
      data.samples() * size_t(data.bins) * size_t(data.height) * size_t(data.width);
  if (data.raw.size() != values || data.label.size() != values)
    throw InputError("the prepared voxel pairs hold " + std::to_string(data.raw.size()) +
                     " raw and " + std::to_string(data.label.size()) + " label values, expected " +
                     std::to_string(values));
  const int patch = config.data.patch;
  if (patch > 0 && (patch > data.height || patch > data.width))
    throw InputError("data.patch = " + std::to_string(patch) + " is larger than the " +
                     std::to_string(data.width) + "x" + std::to_string(data.height) + " sensor");
  model_ =
      seededInit(uint64_t(config.trainer.seed), [&] { return makeDenoiseModel(config.model); });
  std::vector<int64_t> trainIndex, valIndex;
  for (size_t i = 0; i < data.samples(); ++i)
    (data.validation[i] ? valIndex : trainIndex).push_back(int64_t(i));
  if (trainIndex.empty())
    throw InputError("the prepared dataset has no training samples (all files were assigned to "
                     "validation; lower data.val_fraction or add recordings)");
  // Each array is released once copied, so at most one and a half copies of the set are alive.
  trainRaw_ = gatherSamples(data.raw, trainIndex, data);
  valRaw_ = gatherSamples(data.raw, valIndex, data);
  std::vector<float>().swap(data.raw);
  trainLabel_ = gatherSamples(data.label, trainIndex, data);
  valLabel_ = gatherSamples(data.label, valIndex, data);
  std::vector<float>().swap(data.label);
  if (!valIndex.empty())
    dataRange_ = std::max(1e-6, valLabel_.abs().max().item<double>());
}

void EventDenoiseTask::to(const torch::Device& device) {
  device_ = device;
  model_->to(device);
}

int64_t EventDenoiseTask::batchesPerEpoch() const {
  return shardedBatchCount(trainRaw_.size(0), config_.data.batch_size);
}

StepOutput EventDenoiseTask::trainStep(int64_t epoch, int64_t batch) {
  using torch::indexing::Slice;
  const auto samples = shardedBatch(trainRaw_.size(0), config_.data.batch_size,
                                    uint64_t(config_.trainer.seed), epoch, batch);
  std::vector<torch::Tensor> inputs, counts, targets;
  const int patch = config_.data.patch;
  const int64_t H = trainRaw_.size(3), W = trainRaw_.size(4);
  for (const auto& [i, position] : samples) {
    // Crop positions depend only on (seed, epoch, position): a resumed run sees the same
    // patches, and so does a run on several processes.
    auto generator = sampleGenerator(uint64_t(config_.trainer.seed), epoch, position);
    auto x = trainRaw_.slice(0, i, i + 1), y = trainLabel_.slice(0, i, i + 1);
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
  if (!valRaw_.defined() || valRaw_.size(0) == 0)
    return {};
  torch::NoGradGuard noGrad;
  double loss = 0, mse = 0, inputLoss = 0, inputMse = 0;
  const int64_t n = valRaw_.size(0);
  for (int64_t i = 0; i < n; ++i) {
    if (job)
      job->checkCancelled();
    const auto counts = valRaw_.slice(0, i, i + 1);
    const auto x = counts.to(device_);
    const auto y = valLabel_.slice(0, i, i + 1).to(device_);
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
