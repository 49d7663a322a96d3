#include "train/Checkpoint.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Log.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <cstring>
#include <filesystem>
#include <sstream>

namespace lumen {
namespace {

std::function<void(const std::string&)>& writeHook() {
  static std::function<void(const std::string&)> hook;
  return hook;
}

torch::Tensor scalar(double v) {
  return torch::tensor(v, torch::kFloat64);
}
torch::Tensor scalar(int64_t v) {
  return torch::tensor(v, torch::kInt64);
}

// Text in an archive, as the bytes of a uint8 tensor.
torch::Tensor textTensor(const std::string& text) {
  auto t = torch::empty({int64_t(text.size())}, torch::kUInt8);
  if (!text.empty()) // an empty tensor has no data pointer to copy to
    std::memcpy(t.data_ptr<uint8_t>(), text.data(), text.size());
  return t;
}

std::string tensorText(const torch::Tensor& t) {
  if (t.numel() == 0)
    return {};
  const auto bytes = t.to(torch::kCPU).to(torch::kUInt8).contiguous();
  return std::string(reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>()),
                     size_t(bytes.numel()));
}

int64_t readInt(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor t;
  archive.read(key, t);
  return t.item<int64_t>();
}

double readDouble(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor t;
  archive.read(key, t);
  return t.item<double>();
}

void writeArchive(const std::string& path, torch::serialize::OutputArchive& archive) {
  replaceFileAtomically(path, [&](const std::string& temp) {
    archive.save_to(temp);
    if (writeHook())
      writeHook()(temp);
  });
}

template <class Body> void readingCheckpoint(const std::string& path, Body body) {
  if (!std::filesystem::exists(path))
    throw IoError("checkpoint " + path + " does not exist");
  try {
    body();
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    throw IoError("checkpoint " + path +
                  " is not readable (truncated, corrupt or not a Lumen "
                  "checkpoint for this model): " +
                  what.substr(0, what.find('\n')));
  }
}

} // namespace

void setCheckpointWriteHook(std::function<void(const std::string&)> hook) {
  writeHook() = std::move(hook);
}

std::string configHash(const std::string& yaml) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : yaml)
    hash = (hash ^ c) * 1099511628211ULL;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

void saveCheckpoint(const std::string& path, torch::nn::Module& model,
                    torch::optim::Optimizer& optimizer, WeightEma* ema,
                    const TrainingPosition& position, const CheckpointContext& context) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive modelArchive, optimizerArchive, emaArchive;
  model.save(modelArchive);
  optimizer.save(optimizerArchive);
  archive.write("model", modelArchive);
  archive.write("optimizer", optimizerArchive);
  if (ema) {
    for (size_t i = 0; i < ema->shadow().size(); ++i)
      emaArchive.write(std::to_string(i), ema->shadow()[i]);
    archive.write("ema", emaArchive);
  }
  archive.write("format", scalar(kCheckpointFormat));
  archive.write("config_hash", textTensor(context.configHash));
  archive.write("step", scalar(position.step));
  archive.write("epoch", scalar(position.epoch));
  archive.write("batch_in_epoch", scalar(position.batchInEpoch));
  archive.write("has_best", scalar(int64_t{position.hasBest}));
  archive.write("best", scalar(position.best));
  archive.write("schedule_scale", scalar(position.schedule.plateauScale));
  archive.write("schedule_best", scalar(position.schedule.plateauBest));
  archive.write("schedule_has_best", scalar(int64_t{position.schedule.plateauHasBest}));
  archive.write("schedule_bad_epochs", scalar(int64_t{position.schedule.plateauBadEpochs}));
  archive.write("loss_scale", scalar(position.lossScale));
  archive.write("loss_scale_growth", scalar(position.lossScaleGrowthTracker));
  if (context.generator) {
    std::lock_guard<std::mutex> lock(context.generator->mutex());
    archive.write("rng_cpu", context.generator->get_state());
  }
  // LibTorch's own CUDA generators (kernels such as dropout on a GPU draw from them).
  const int gpus = torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0;
  archive.write("rng_cuda_count", scalar(int64_t{gpus}));
  for (int i = 0; i < gpus; ++i) {
    auto& generator =
        const_cast<at::Generator&>(at::detail::getCUDAHooks().getDefaultCUDAGenerator(i));
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("rng_cuda_" + std::to_string(i), generator.get_state());
  }
  writeArchive(path, archive);
}

TrainingPosition loadCheckpoint(const std::string& path, torch::nn::Module& model,
                                torch::optim::Optimizer& optimizer, WeightEma* ema,
                                const torch::Device& device, const CheckpointContext& context) {
  TrainingPosition position;
  // Everything is read and checked before anything changes; should loading the weights or the
  // optimiser still fail half-way, both are put back as they were.
  std::ostringstream modelBackup, optimizerBackup;
  {
    torch::serialize::OutputArchive m, o;
    model.save(m);
    optimizer.save(o);
    m.save_to(modelBackup);
    o.save_to(optimizerBackup);
  }
  auto restore = [&] {
    try {
      std::istringstream m(modelBackup.str()), o(optimizerBackup.str());
      torch::serialize::InputArchive mi, oi;
      mi.load_from(m, device);
      oi.load_from(o, device);
      model.load(mi);
      optimizer.load(oi);
    } catch (const std::exception&) {
      // The backup was written by this very process: it always reads back.
    }
  };
  try {
    readingCheckpoint(path, [&] {
      torch::serialize::InputArchive archive;
      archive.load_from(path, device);
      const int64_t format = readInt(archive, "format");
      if (format < 1 || format > kCheckpointFormat)
        throw IoError("checkpoint " + path + " has format " + std::to_string(format) +
                      "; this version of Lumen reads formats 1 to " +
                      std::to_string(kCheckpointFormat) + " (it was written by a newer Lumen?)");
      torch::Tensor hash;
      if (context.checkConfig && !context.configHash.empty() &&
          archive.try_read("config_hash", hash)) {
        const std::string saved = tensorText(hash);
        if (!saved.empty() && saved != context.configHash)
          throw InputError("checkpoint " + path + " was written with another configuration (" +
                           saved + ", the run's config.yaml now hashes to " + context.configHash +
                           "); resume with the run's own config.yaml, or start a new run");
      }
      position.step = readInt(archive, "step");
      position.epoch = readInt(archive, "epoch");
      position.batchInEpoch = readInt(archive, "batch_in_epoch");
      position.hasBest = readInt(archive, "has_best") != 0;
      position.best = readDouble(archive, "best");
      position.schedule.plateauScale = readDouble(archive, "schedule_scale");
      position.schedule.plateauBest = readDouble(archive, "schedule_best");
      position.schedule.plateauHasBest = readInt(archive, "schedule_has_best") != 0;
      position.schedule.plateauBadEpochs =
          static_cast<int>(readInt(archive, "schedule_bad_epochs"));
      // Written since mixed precision: older checkpoints have no loss scaler.
      if (torch::Tensor scale; archive.try_read("loss_scale", scale))
        position.lossScale = scale.item<double>();
      if (torch::Tensor growth; archive.try_read("loss_scale_growth", growth))
        position.lossScaleGrowthTracker = growth.item<int64_t>();
      if (position.step < 0 || position.epoch < 0 || position.batchInEpoch < 0)
        throw IoError("checkpoint " + path + " holds a negative training position");
      torch::Tensor rng;
      archive.read("rng_cpu", rng);
      std::vector<torch::Tensor> cuda;
      torch::Tensor count;
      if (archive.try_read("rng_cuda_count", count))
        for (int64_t i = 0; i < count.item<int64_t>(); ++i) {
          cuda.emplace_back();
          archive.read("rng_cuda_" + std::to_string(i), cuda.back());
        }
      std::vector<torch::Tensor> emaWeights;
      torch::serialize::InputArchive emaArchive;
      const bool hasEma = ema && archive.try_read("ema", emaArchive);
      if (hasEma)
        for (size_t i = 0; i < ema->shadow().size(); ++i) {
          emaWeights.emplace_back();
          emaArchive.read(std::to_string(i), emaWeights.back());
          if (!emaWeights.back().sizes().equals(ema->shadow()[i].sizes()))
            throw IoError("checkpoint " + path + ": EMA weight " + std::to_string(i) +
                          " has another shape than the model's");
        }

      // Now the parts that change state.
      torch::serialize::InputArchive modelArchive, optimizerArchive;
      archive.read("model", modelArchive);
      archive.read("optimizer", optimizerArchive);
      model.load(modelArchive);
      optimizer.load(optimizerArchive);
      if (ema) {
        if (hasEma) {
          for (size_t i = 0; i < emaWeights.size(); ++i)
            ema->shadow()[i].copy_(emaWeights[i]);
        } else {
          // Without saved averages the shadow would keep the random initial weights, and the
          // EMA model (best.pt) would be garbage until it decayed: start it from these weights.
          ema->resetTo(model);
          logWarning("checkpoint ", path, " has no EMA weights; the average starts from its model");
        }
      }
      if (context.generator) {
        std::lock_guard<std::mutex> lock(context.generator->mutex());
        context.generator->set_state(rng.to(torch::kCPU));
      }
      const int gpus = torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0;
      for (int i = 0; i < std::min<int>(gpus, int(cuda.size())); ++i) {
        auto& generator =
            const_cast<at::Generator&>(at::detail::getCUDAHooks().getDefaultCUDAGenerator(i));
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(cuda[size_t(i)].to(torch::kCPU));
      }
    });
  } catch (...) {
    restore();
    throw;
  }
  return position;
}

void saveModelWeights(const std::string& path, torch::nn::Module& model) {
  torch::serialize::OutputArchive archive, modelArchive;
  model.save(modelArchive);
  archive.write("model", modelArchive);
  archive.write("format", scalar(kCheckpointFormat));
  writeArchive(path, archive);
}

void loadModelWeights(const std::string& path, torch::nn::Module& model,
                      const torch::Device& device) {
  readingCheckpoint(path, [&] {
    torch::serialize::InputArchive archive, modelArchive;
    archive.load_from(path, device);
    archive.read("model", modelArchive);
    model.load(modelArchive);
  });
}

} // namespace lumen
