#include "events/DenoiseModel.h"

#include "common/Error.h"
#include "common/Job.h"
#include "train/SeededInit.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>

namespace lumen {

UNet3d makeDenoiseModel(const EventModelConfig& config) {
  UNet3dOptions options;
  options.fMaps = config.f_maps;
  options.levels = config.levels;
  options.groups = config.groups;
  options.residual = config.residual;
  options.anisotropicPooling = config.anisotropic_pooling;
  return UNet3d(options);
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

VoxelGrid denoiseGrid(UNet3d& model, const VoxelGrid& grid, const std::string& padMode,
                      const torch::Device& device) {
  torch::NoGradGuard noGrad;
  auto input = torch::from_blob(const_cast<float*>(grid.values.data()),
                                {1, 1, grid.bins, grid.height, grid.width}, torch::kFloat32)
                   .to(device);
  auto output = cropTo(model->forward(padToMultiple(input, model->spatialMultiple(), padMode)),
                       grid.height, grid.width)
                    .to(torch::kCPU)
                    .contiguous();
  VoxelGrid out = grid;
  std::memcpy(out.values.data(), output.data_ptr<float>(), out.values.size() * sizeof(float));
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

EventDenoiseTask::EventDenoiseTask(const EventTrainConfig& config, VoxelPairSet data)
    : config_(config) {
  model_ =
      seededInit(uint64_t(config.trainer.seed), [&] { return makeDenoiseModel(config.model); });
  const int64_t S = int64_t(data.samples());
  auto raw =
      torch::from_blob(data.raw.data(), {S, 1, data.bins, data.height, data.width}, torch::kFloat32)
          .clone();
  auto label = torch::from_blob(data.label.data(), {S, 1, data.bins, data.height, data.width},
                                torch::kFloat32)
                   .clone();
  std::vector<int64_t> trainIndex, valIndex;
  for (int64_t i = 0; i < S; ++i)
    (data.validation[size_t(i)] ? valIndex : trainIndex).push_back(i);
  if (trainIndex.empty())
    throw InputError("the prepared dataset has no training samples (all files were assigned to "
                     "validation; lower data.val_fraction or add recordings)");
  auto pick = [](const torch::Tensor& t, const std::vector<int64_t>& index) {
    return t.index_select(0, torch::tensor(index, torch::kInt64));
  };
  trainRaw_ = pick(raw, trainIndex);
  trainLabel_ = pick(label, trainIndex);
  if (!valIndex.empty()) {
    valRaw_ = pick(raw, valIndex);
    valLabel_ = pick(label, valIndex);
    dataRange_ = std::max(1e-6, valLabel_.abs().max().item<double>());
  }
  const int patch = config.data.patch;
  if (patch > 0 && (patch > data.height || patch > data.width))
    throw InputError("data.patch = " + std::to_string(patch) + " is larger than the " +
                     std::to_string(data.width) + "x" + std::to_string(data.height) + " sensor");
  if (patch > 0 && patch % model_->spatialMultiple() != 0)
    throw InputError("data.patch must be a multiple of " +
                     std::to_string(model_->spatialMultiple()) + " for a " +
                     std::to_string(config.model.levels) + "-level U-Net");
}

void EventDenoiseTask::to(const torch::Device& device) {
  device_ = device;
  model_->to(device);
}

int64_t EventDenoiseTask::batchesPerEpoch() const {
  const int64_t n = trainRaw_.size(0);
  return (n + config_.data.batch_size - 1) / config_.data.batch_size;
}

StepOutput EventDenoiseTask::trainStep(int64_t epoch, int64_t batch) {
  using torch::indexing::Slice;
  const int64_t n = trainRaw_.size(0);
  const auto order = epochPermutation(n, uint64_t(config_.trainer.seed), epoch);
  const int64_t begin = batch * config_.data.batch_size;
  const int64_t end = std::min<int64_t>(begin + config_.data.batch_size, n);
  // Crop positions depend only on (seed, epoch, batch): a resumed run sees the same patches.
  auto generator = at::detail::createCPUGenerator(uint64_t(config_.trainer.seed) * 1000003ULL +
                                                  uint64_t(epoch) * 10007ULL + uint64_t(batch));
  std::vector<torch::Tensor> inputs, targets;
  const int patch = config_.data.patch;
  const int64_t H = trainRaw_.size(3), W = trainRaw_.size(4);
  for (int64_t k = begin; k < end; ++k) {
    const int64_t i = order[k].item<int64_t>();
    auto x = trainRaw_[i], y = trainLabel_[i];
    if (patch > 0) {
      const int64_t top = torch::randint(H - patch + 1, {1}, generator).item<int64_t>();
      const int64_t left = torch::randint(W - patch + 1, {1}, generator).item<int64_t>();
      x = x.index({"...", Slice(top, top + patch), Slice(left, left + patch)});
      y = y.index({"...", Slice(top, top + patch), Slice(left, left + patch)});
    }
    inputs.push_back(x);
    targets.push_back(y);
  }
  auto input = torch::stack(inputs).to(device_);
  auto target = torch::stack(targets).to(device_);
  if (patch == 0) {
    input = padToMultiple(input, model_->spatialMultiple(), config_.data.pad);
    target = padToMultiple(target, model_->spatialMultiple(), config_.data.pad);
  }
  StepOutput out;
  out.loss = voxelLoss(model_->forward(input), target, config_.loss);
  return out;
}

std::map<std::string, double> EventDenoiseTask::validate(Job* job) {
  if (!valRaw_.defined() || valRaw_.size(0) == 0)
    return {};
  double mse = 0, loss = 0, inputMse = 0;
  const int64_t n = valRaw_.size(0);
  const int64_t H = valRaw_.size(3), W = valRaw_.size(4);
  for (int64_t i = 0; i < n; ++i) {
    if (job)
      job->checkCancelled();
    auto x = valRaw_.slice(0, i, i + 1).to(device_);
    auto y = valLabel_.slice(0, i, i + 1).to(device_);
    auto prediction = cropTo(
        model_->forward(padToMultiple(x, model_->spatialMultiple(), config_.data.pad)), H, W);
    loss += voxelLoss(prediction, y, config_.loss).item<double>();
    mse += torch::mse_loss(prediction, y).item<double>();
    inputMse += torch::mse_loss(x, y).item<double>();
  }
  mse /= double(n);
  inputMse /= double(n);
  const double range2 = dataRange_ * dataRange_;
  return {{"loss", loss / double(n)},
          {"mse", mse},
          {"psnr", 10.0 * std::log10(range2 / std::max(mse, 1e-12))},
          {"psnr_noisy_input", 10.0 * std::log10(range2 / std::max(inputMse, 1e-12))}};
}

} // namespace lumen
