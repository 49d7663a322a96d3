#include "train/Checkpoint.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Log.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
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

namespace {

void writeSchedule(torch::serialize::OutputArchive& archive, const LrSchedule::State& schedule) {
  archive.write("scale", scalar(schedule.plateauScale));
  archive.write("best", scalar(schedule.plateauBest));
  archive.write("has_best", scalar(int64_t{schedule.plateauHasBest}));
  archive.write("bad_epochs", scalar(int64_t{schedule.plateauBadEpochs}));
}

LrSchedule::State readSchedule(torch::serialize::InputArchive& archive, const std::string& prefix) {
  LrSchedule::State schedule;
  schedule.plateauScale = readDouble(archive, prefix + "scale");
  schedule.plateauBest = readDouble(archive, prefix + "best");
  schedule.plateauHasBest = readInt(archive, prefix + "has_best") != 0;
  schedule.plateauBadEpochs = static_cast<int>(readInt(archive, prefix + "bad_epochs"));
  return schedule;
}

void writeEma(torch::serialize::OutputArchive& archive, WeightEma& ema) {
  for (size_t i = 0; i < ema.shadow().size(); ++i)
    archive.write(std::to_string(i), ema.shadow()[i]);
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names)
    out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

// The sub-archive `name` of `group`, or an IoError saying which names the file holds.
torch::serialize::InputArchive member(torch::serialize::InputArchive& group,
                                      const std::string& name, const std::string& what,
                                      const std::string& path) {
  torch::serialize::InputArchive child;
  if (!group.try_read(name, child))
    throw IoError("checkpoint " + path + " has no " + what + " '" + name + "' (it holds " +
                  joinNames(group.keys()) + ")");
  return child;
}

// Each network's and optimiser's state as it is now, to put back if a load fails half-way.
class StateBackup {
public:
  explicit StateBackup(const TrainingState& state) : state_(state) {
    for (const auto& network : state.networks) {
      torch::serialize::OutputArchive archive;
      network.module->save(archive);
      archive.save_to(networks_.emplace_back());
    }
    for (const auto& optimizer : state.optimizers) {
      torch::serialize::OutputArchive archive;
      optimizer.optimizer->save(archive);
      archive.save_to(optimizers_.emplace_back());
    }
  }
  void restore(const torch::Device& device) {
    try {
      for (size_t i = 0; i < state_.networks.size(); ++i) {
        std::istringstream bytes(networks_[i].str());
        torch::serialize::InputArchive archive;
        archive.load_from(bytes, device);
        state_.networks[i].module->load(archive);
      }
      for (size_t i = 0; i < state_.optimizers.size(); ++i) {
        std::istringstream bytes(optimizers_[i].str());
        torch::serialize::InputArchive archive;
        archive.load_from(bytes, device);
        state_.optimizers[i].optimizer->load(archive);
      }
    } catch (const std::exception&) {
      // The backup was written by this very process: it always reads back.
    }
  }

private:
  const TrainingState& state_;
  std::vector<std::ostringstream> networks_, optimizers_;
};

// The EMA weights saved in `archive` for `ema`, shape-checked.
std::vector<torch::Tensor> readEma(torch::serialize::InputArchive& archive, WeightEma& ema,
                                   const std::string& network, const std::string& path) {
  std::vector<torch::Tensor> weights;
  for (size_t i = 0; i < ema.shadow().size(); ++i) {
    weights.emplace_back();
    archive.read(std::to_string(i), weights.back());
    if (!weights.back().sizes().equals(ema.shadow()[i].sizes()))
      throw IoError("checkpoint " + path + ": EMA weight " + std::to_string(i) + " of " + network +
                    " has another shape than the network's");
  }
  return weights;
}

} // namespace

void saveTrainingCheckpoint(const std::string& path, const TrainingState& state,
                            const TrainingPosition& position, const CheckpointContext& context) {
  torch::serialize::OutputArchive archive, networks, optimizers, emas, schedules;
  for (const auto& network : state.networks) {
    torch::serialize::OutputArchive weights;
    network.module->save(weights);
    networks.write(network.name, weights);
    if (network.ema) {
      torch::serialize::OutputArchive average;
      writeEma(average, *network.ema);
      emas.write(network.name, average);
    }
  }
  for (const auto& optimizer : state.optimizers) {
    torch::serialize::OutputArchive moments, schedule;
    optimizer.optimizer->save(moments);
    optimizers.write(optimizer.name, moments);
    writeSchedule(schedule, optimizer.schedule ? *optimizer.schedule : LrSchedule::State{});
    schedules.write(optimizer.name, schedule);
  }
  archive.write("networks", networks);
  archive.write("optimizers", optimizers);
  archive.write("ema", emas);
  archive.write("schedules", schedules);
  archive.write("format", scalar(kCheckpointFormat));
  archive.write("config_hash", textTensor(context.configHash));
  archive.write("step", scalar(position.step));
  archive.write("epoch", scalar(position.epoch));
  archive.write("batch_in_epoch", scalar(position.batchInEpoch));
  archive.write("has_best", scalar(int64_t{position.hasBest}));
  archive.write("best", scalar(position.best));
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

TrainingPosition loadTrainingCheckpoint(const std::string& path, const TrainingState& state,
                                        const torch::Device& device,
                                        const CheckpointContext& context) {
  TrainingPosition position;
  // Everything is read and checked before anything changes; should loading a network or an
  // optimiser still fail half-way, all of them are put back as they were.
  StateBackup backup(state);
  try {
    readingCheckpoint(path, [&] {
      torch::serialize::InputArchive archive;
      archive.load_from(path, device);
      const int64_t format = readInt(archive, "format");
      if (format < 1 || format > kCheckpointFormat)
        throw IoError("checkpoint " + path + " has format " + std::to_string(format) +
                      "; this version of Lumen reads formats 1 to " +
                      std::to_string(kCheckpointFormat) + " (it was written by a newer Lumen?)");
      const bool single = format < 3; // one "model" and one "optimizer"
      if (single && (state.networks.size() != 1 || state.optimizers.size() != 1))
        throw IoError("checkpoint " + path + " (format " + std::to_string(format) +
                      ") holds one network and one optimiser; this task has " +
                      std::to_string(state.networks.size()) + " and " +
                      std::to_string(state.optimizers.size()));
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

      // Every part, located and checked, before any state changes.
      std::vector<torch::serialize::InputArchive> networkArchives, optimizerArchives;
      std::vector<LrSchedule::State> schedules;
      std::vector<std::optional<std::vector<torch::Tensor>>> emaWeights;
      torch::serialize::InputArchive networks, optimizers, emas, scheduleGroup;
      if (single) {
        archive.read("model", networkArchives.emplace_back());
        archive.read("optimizer", optimizerArchives.emplace_back());
        schedules.push_back(readSchedule(archive, "schedule_"));
        torch::serialize::InputArchive ema;
        const auto& only = state.networks.front();
        emaWeights.emplace_back();
        if (only.ema && archive.try_read("ema", ema))
          emaWeights.back() = readEma(ema, *only.ema, only.name, path);
      } else {
        archive.read("networks", networks);
        archive.read("optimizers", optimizers);
        archive.read("schedules", scheduleGroup);
        const bool anyEma = archive.try_read("ema", emas);
        const auto emaNames = anyEma ? emas.keys() : std::vector<std::string>{};
        for (const auto& network : state.networks) {
          networkArchives.push_back(member(networks, network.name, "network", path));
          emaWeights.emplace_back();
          if (network.ema &&
              std::find(emaNames.begin(), emaNames.end(), network.name) != emaNames.end()) {
            auto average = member(emas, network.name, "EMA", path);
            emaWeights.back() = readEma(average, *network.ema, network.name, path);
          }
        }
        for (const auto& optimizer : state.optimizers) {
          optimizerArchives.push_back(member(optimizers, optimizer.name, "optimizer", path));
          auto schedule = member(scheduleGroup, optimizer.name, "schedule", path);
          schedules.push_back(readSchedule(schedule, ""));
        }
      }

      // Now the parts that change state.
      for (size_t i = 0; i < state.networks.size(); ++i)
        state.networks[i].module->load(networkArchives[i]);
      for (size_t i = 0; i < state.optimizers.size(); ++i) {
        state.optimizers[i].optimizer->load(optimizerArchives[i]);
        if (state.optimizers[i].schedule)
          *state.optimizers[i].schedule = schedules[i];
      }
      for (size_t i = 0; i < state.networks.size(); ++i) {
        const auto& network = state.networks[i];
        if (!network.ema)
          continue;
        if (emaWeights[i]) {
          for (size_t k = 0; k < emaWeights[i]->size(); ++k)
            network.ema->shadow()[k].copy_((*emaWeights[i])[k]);
        } else {
          // Without saved averages the shadow would keep the random initial weights, and the
          // EMA model (best.pt) would be garbage until it decayed: start it from these weights.
          network.ema->resetTo(*network.module);
          logWarning("checkpoint ", path, " has no EMA weights for ", network.name,
                     "; the average starts from its weights");
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
    backup.restore(device);
    throw;
  }
  return position;
}

void saveCheckpoint(const std::string& path, torch::nn::Module& model,
                    torch::optim::Optimizer& optimizer, WeightEma* ema,
                    const TrainingPosition& position, const CheckpointContext& context) {
  LrSchedule::State schedule = position.schedule;
  saveTrainingCheckpoint(path, {{{"model", &model, ema}}, {{"model", &optimizer, &schedule}}},
                         position, context);
}

TrainingPosition loadCheckpoint(const std::string& path, torch::nn::Module& model,
                                torch::optim::Optimizer& optimizer, WeightEma* ema,
                                const torch::Device& device, const CheckpointContext& context) {
  LrSchedule::State schedule;
  TrainingPosition position = loadTrainingCheckpoint(
      path, {{{"model", &model, ema}}, {{"model", &optimizer, &schedule}}}, device, context);
  position.schedule = schedule;
  return position;
}

void saveModelWeights(const std::string& path, torch::nn::Module& model) {
  torch::serialize::OutputArchive archive, modelArchive;
  model.save(modelArchive);
  archive.write("model", modelArchive);
  archive.write("format", scalar(kCheckpointFormat));
  writeArchive(path, archive);
}

void saveNetworkWeights(const std::string& path,
                        const std::vector<std::pair<std::string, torch::nn::Module*>>& networks) {
  torch::serialize::OutputArchive archive, group;
  for (const auto& [name, module] : networks) {
    torch::serialize::OutputArchive weights;
    module->save(weights);
    group.write(name, weights);
  }
  archive.write("networks", group);
  archive.write("format", scalar(kCheckpointFormat));
  writeArchive(path, archive);
}

void loadModelWeights(const std::string& path, torch::nn::Module& model,
                      const torch::Device& device) {
  readingCheckpoint(path, [&] {
    torch::serialize::InputArchive archive, weights;
    archive.load_from(path, device);
    if (!archive.try_read("model", weights)) {
      // A training checkpoint (format 3) keys its networks by name; a one-network task's is
      // "model".
      torch::serialize::InputArchive networks;
      if (!archive.try_read("networks", networks))
        throw IoError("checkpoint " + path + " holds no model weights");
      const auto names = networks.keys();
      if (names.size() != 1)
        throw IoError("checkpoint " + path + " holds several networks (" + joinNames(names) +
                      "); name the one to load");
      networks.read(names.front(), weights);
    }
    model.load(weights);
  });
}

void loadNetworkWeights(const std::string& path, const std::string& name,
                        torch::nn::Module& network, const torch::Device& device) {
  readingCheckpoint(path, [&] {
    torch::serialize::InputArchive archive, networks;
    archive.load_from(path, device);
    if (!archive.try_read("networks", networks))
      throw IoError("checkpoint " + path + " holds no named networks");
    auto weights = member(networks, name, "network", path);
    network.load(weights);
  });
}

} // namespace lumen
