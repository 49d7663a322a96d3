#include "train/Checkpoint.h"

#include "common/AtomicFile.h"
#include "common/Error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <filesystem>

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

void saveCheckpoint(const std::string& path, torch::nn::Module& model,
                    torch::optim::Optimizer& optimizer, WeightEma* ema,
                    const TrainingPosition& position) {
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
  archive.write("format", scalar(int64_t{1}));
  archive.write("step", scalar(position.step));
  archive.write("epoch", scalar(position.epoch));
  archive.write("batch_in_epoch", scalar(position.batchInEpoch));
  archive.write("has_best", scalar(int64_t{position.hasBest}));
  archive.write("best", scalar(position.best));
  archive.write("schedule_scale", scalar(position.schedule.plateauScale));
  archive.write("schedule_best", scalar(position.schedule.plateauBest));
  archive.write("schedule_has_best", scalar(int64_t{position.schedule.plateauHasBest}));
  archive.write("schedule_bad_epochs", scalar(int64_t{position.schedule.plateauBadEpochs}));
  {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("rng_cpu", generator.get_state());
  }
  writeArchive(path, archive);
}

TrainingPosition loadCheckpoint(const std::string& path, torch::nn::Module& model,
                                torch::optim::Optimizer& optimizer, WeightEma* ema,
                                const torch::Device& device) {
  TrainingPosition position;
  readingCheckpoint(path, [&] {
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
    torch::serialize::InputArchive modelArchive, optimizerArchive;
    archive.read("model", modelArchive);
    model.load(modelArchive);
    archive.read("optimizer", optimizerArchive);
    optimizer.load(optimizerArchive);
    if (ema) {
      torch::serialize::InputArchive emaArchive;
      if (archive.try_read("ema", emaArchive)) {
        for (size_t i = 0; i < ema->shadow().size(); ++i) {
          torch::Tensor t;
          emaArchive.read(std::to_string(i), t);
          ema->shadow()[i].copy_(t);
        }
      }
    }
    position.step = readInt(archive, "step");
    position.epoch = readInt(archive, "epoch");
    position.batchInEpoch = readInt(archive, "batch_in_epoch");
    position.hasBest = readInt(archive, "has_best") != 0;
    position.best = readDouble(archive, "best");
    position.schedule.plateauScale = readDouble(archive, "schedule_scale");
    position.schedule.plateauBest = readDouble(archive, "schedule_best");
    position.schedule.plateauHasBest = readInt(archive, "schedule_has_best") != 0;
    position.schedule.plateauBadEpochs = static_cast<int>(readInt(archive, "schedule_bad_epochs"));
    torch::Tensor rng;
    archive.read("rng_cpu", rng);
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(rng.to(torch::kCPU));
  });
  return position;
}

void saveModelWeights(const std::string& path, torch::nn::Module& model) {
  torch::serialize::OutputArchive archive, modelArchive;
  model.save(modelArchive);
  archive.write("model", modelArchive);
  archive.write("format", scalar(int64_t{1}));
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
