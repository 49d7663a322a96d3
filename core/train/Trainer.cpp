#include "train/Trainer.h"

#include "common/Log.h"
#include "train/Autocast.h"
#include "train/Checkpoint.h"
#include "train/DataParallel.h"
#include "train/Device.h"
#include "train/GradScaler.h"
#include "train/LrSchedule.h"
#include "train/MetricsLog.h"
#include "train/OptimizerSlots.h"
#include "train/RunDirectory.h"
#include "train/StepContext.h"
#include "train/WeightEma.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <unistd.h>

namespace lumen {
namespace {

// Running means of the scalars between two metrics records.
class ScalarWindow {
public:
  void add(const std::string& name, double value) {
    auto& [sum, count] = sums_[name];
    sum += value;
    ++count;
  }
  std::map<std::string, double> meansAndReset() {
    std::map<std::string, double> out;
    for (const auto& [name, acc] : sums_)
      out[name] = acc.first / double(acc.second);
    sums_.clear();
    return out;
  }
  bool empty() const { return sums_.empty(); }

private:
  std::map<std::string, std::pair<double, int64_t>> sums_;
};

// The step's logged scalars replaced by their means over the ranks, so rank 0 logs the global
// batch's values. Every rank logs the same names (they run the same step).
std::map<std::string, double> averageOverRanks(DataParallelGroup* group,
                                               std::map<std::string, double> values) {
  if (!group || values.empty())
    return values;
  std::vector<double> flat;
  for (const auto& [name, value] : values)
    flat.push_back(value);
  auto tensor = torch::tensor(flat, torch::kFloat64);
  group->averageInPlace({tensor}, kGradientBucketBytes);
  const double* mean = tensor.data_ptr<double>();
  size_t k = 0;
  for (auto& [name, value] : values)
    value = mean[k++];
  return values;
}

std::string formatLoss(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

} // namespace

Trainer::Trainer(TrainerConfig config, MultiNetworkTask& task, std::string runDir,
                 std::string taskName)
    : config_(std::move(config)), task_(task), runDir_(std::move(runDir)),
      taskName_(std::move(taskName)) {}

int64_t Trainer::totalSteps() const {
  const int64_t byEpochs = int64_t(config_.epochs) * task_.batchesPerEpoch();
  return config_.max_steps > 0 ? std::min(byEpochs, config_.max_steps) : byEpochs;
}

TrainSummary Trainer::fit(Job* job) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  RunDirectory run(runDir_);
  configureTorchThreads(config_.threads);
  torch::Device device = resolveDevice(config_.device);
  // Each process of a data-parallel run on a GPU node takes the GPU its launcher numbered it for.
  if (device.is_cuda() && (config_.device == "auto" || config_.device == "cuda"))
    if (const auto parallel = dataParallelSettingsFromEnvironment())
      device = torch::Device(
          torch::kCUDA, c10::DeviceIndex(parallel->localRank % int(torch::cuda::device_count())));
  // One of several processes (torchrun, srun): each trains its shard of every global batch, and
  // rank 0 alone writes the run's files.
  const auto group = processDataParallelGroup(device);
  const bool writes = !group || group->rank() == 0;
  // A training job (TrainingRun) holds the lock and routes its lines into log.txt already.
  std::optional<RunLock> ownLock;
  std::optional<ScopedLogSink> fileLog;
  if (!heldLock_ && writes) {
    ownLock.emplace(runDir_);
    fileLog.emplace(std::make_shared<FileLogSink>(run.logPath()),
                    ScopedLogSink::Scope::CurrentContext);
  }
  if (group)
    task_.setShard({group->rank(), group->world()});

  task_.to(device);
  const int64_t perEpoch = task_.batchesPerEpoch();
  if (perEpoch <= 0)
    throw InputError("the training set is empty: no batch to train on");
  const int64_t total = totalSteps();
  const bool lowerIsBetter = config_.best_mode == "min";

  // The task's networks and optimisers, each optimiser with its own settings (or the trainer's).
  TaskOptimization optimization = buildOptimization(task_, config_, total, perEpoch);
  const std::vector<NamedNetwork>& networks = optimization.networks;
  std::vector<OptimizerSlot>& slots = optimization.slots;
  auto& emas = optimization.emas;
  auto network = [&](const std::string& name) -> torch::nn::Module& {
    return optimization.network(name);
  };
  auto trainMode = [&](bool training) {
    for (const auto& n : networks)
      n.module->train(training);
  };
  // Mixed precision on CUDA only: the CPU trains in float32 whatever the config says.
  const bool amp = config_.amp && device.is_cuda();
  if (config_.amp && !amp)
    logInfo("trainer.amp is on, but mixed precision is for CUDA: training in float32 on ",
            describeDevice(device));
  std::optional<GradScaler> scaler;
  if (amp)
    scaler.emplace();

  // What a checkpoint holds: every network with its EMA, every optimiser with its schedule.
  std::vector<LrSchedule::State> scheduleStates(slots.size());
  TrainingState checkpointState;
  for (const auto& n : networks)
    checkpointState.networks.push_back(
        {n.name, n.module.get(), emas.count(n.name) ? emas[n.name].get() : nullptr});
  for (size_t i = 0; i < slots.size(); ++i)
    checkpointState.optimizers.push_back(
        {slots[i].name, slots[i].optimizer.get(), &scheduleStates[i]});

  TrainSummary summary;
  TrainingPosition position;
  // Rank 0 alone judges whether last.pt belongs to this configuration: the other ranks may read
  // config.yaml before or after rank 0 rewrote it, and a refusal on rank 0 ends them all.
  const CheckpointContext checkpointContext{&task_.generator(), configHash_,
                                            verifyConfig_ && writes};
  if (resume_ && std::filesystem::exists(run.lastCheckpoint())) {
    position =
        loadTrainingCheckpoint(run.lastCheckpoint(), checkpointState, device, checkpointContext);
    for (size_t i = 0; i < slots.size(); ++i)
      slots[i].schedule->restore(scheduleStates[i]);
    if (scaler)
      scaler->restore(position.lossScale, position.lossScaleGrowthTracker);
    if (writes)
      truncateMetricsAfter(run.metricsPath(), position.step);
    summary.resumed = true;
    summary.resumedFromStep = position.step;
    logInfo("resuming ", run.name(), " from step ", position.step, " (epoch ", position.epoch + 1,
            ")");
  } else {
    task_.generator().set_current_seed(static_cast<uint64_t>(config_.seed));
    std::string optimizers;
    for (const auto& slot : slots)
      optimizers += (optimizers.empty() ? "" : "; ") +
                    (slots.size() > 1 ? slot.name + ": " : std::string()) +
                    slot.settings.optimizer.name + ", schedule " + slot.settings.schedule.name;
    logInfo("training ", taskName_.empty() ? run.name() : taskName_, " on ", describeDevice(device),
            ": ", config_.epochs, " epochs x ", perEpoch, " steps, optimizer ", optimizers);
  }
  if (position.hasBest)
    summary.best = position.best;
  if (group) {
    // Every rank has read last.pt before rank 0 may write it again, and all start from rank 0's
    // weights, as PyTorch DDP does.
    group->barrier();
    std::vector<torch::Tensor> state;
    for (const auto& n : networks) {
      for (const auto& p : n.module->parameters())
        state.push_back(p);
      for (const auto& buffer : n.module->buffers())
        state.push_back(buffer);
    }
    group->broadcastFromRankZero(state);
    logInfo("rank ", group->rank(), " of ", group->world(), ": ", perEpoch, " steps per epoch of ",
            group->world(), " shards");
  }

  std::optional<MetricsWriter> metrics;
  if (writes)
    metrics.emplace(run.metricsPath());
  RunStatus status;
  status.task = taskName_;
  status.totalSteps = total;
  status.bestMetric = config_.best_metric;
  status.pid = static_cast<int>(::getpid());
  status.host = hostName();
  auto publishStatus = [&](const std::string& state, const std::string& message = {}) {
    if (!writes)
      return;
    status.state = state;
    status.step = position.step;
    status.epoch = position.epoch;
    status.best = position.hasBest ? std::optional<double>(position.best) : std::nullopt;
    status.message = message;
    status.updated = unixTimeNow();
    run.writeStatus(status);
  };
  auto saveLast = [&] {
    if (!writes)
      return;
    for (size_t i = 0; i < slots.size(); ++i)
      scheduleStates[i] = slots[i].schedule->state();
    if (scaler) {
      position.lossScale = scaler->scale();
      position.lossScaleGrowthTracker = scaler->growthTracker();
    }
    saveTrainingCheckpoint(run.lastCheckpoint(), checkpointState, position, checkpointContext);
  };
  // A change of settings the user accepted is recorded at once: even if no step follows, the
  // next resume must find last.pt written with the configuration config.yaml now holds.
  if (summary.resumed && !verifyConfig_)
    saveLast();
  // Where a run that has to stop can be picked up again, for its messages.
  auto lastGood = [&] {
    return std::filesystem::exists(run.lastCheckpoint())
               ? "the last good checkpoint is " + run.lastCheckpoint()
               : std::string("no checkpoint was written yet");
  };
  publishStatus("running");

  ScalarWindow window;
  auto windowStart = Clock::now();
  int64_t windowSteps = 0;
  const int64_t startStep = position.step;
  auto emitTrainRecord = [&] {
    if (window.empty())
      return;
    MetricsRecord record;
    record.step = position.step;
    record.epoch = position.epoch;
    record.wallTime = unixTimeNow();
    for (const auto& [name, mean] : window.meansAndReset())
      record.scalars[name] = mean;
    const double seconds = std::chrono::duration<double>(Clock::now() - windowStart).count();
    if (seconds > 0 && windowSteps > 0)
      record.scalars["perf/steps_per_s"] = double(windowSteps) / seconds;
    for (const auto& slot : slots)
      record.scalars[slots.size() == 1 ? "lr" : "lr_" + slot.name] =
          slot.schedule->lrAt(std::max<int64_t>(0, position.step - 1));
    if (metrics)
      metrics->append(record);
    summary.lastTrainLoss = record.scalars.count("train/loss") ? record.scalars["train/loss"] : 0;
    windowStart = Clock::now();
    windowSteps = 0;
  };

  // The averaged weights swapped in for a scope (validation, saving the best networks).
  auto emaWeights = [&] {
    std::vector<std::unique_ptr<EmaScope>> scopes;
    for (const auto& [name, ema] : emas)
      scopes.push_back(std::make_unique<EmaScope>(ema.get(), network(name)));
    return scopes;
  };
  auto validate = [&] {
    std::map<std::string, double> values;
    {
      torch::NoGradGuard noGrad;
      const auto averaged = emaWeights();
      trainMode(false);
      values = task_.validate(job);
      trainMode(true);
    }
    MetricsRecord record;
    record.step = position.step;
    record.epoch = position.epoch;
    record.wallTime = unixTimeNow();
    std::string line;
    for (const auto& [name, value] : values) {
      record.scalars["val/" + name] = value;
      summary.lastValidation["val/" + name] = value;
      line += " val/" + name + "=" + formatLoss(value);
    }
    if (metrics)
      metrics->append(record);
    logInfo("epoch ", position.epoch + 1, "/", config_.epochs, " step ", position.step, line);
    const auto it = record.scalars.find(config_.best_metric);
    if (it == record.scalars.end()) {
      logWarning("best_metric '", config_.best_metric, "' is not among the validation metrics");
      return;
    }
    for (auto& slot : slots)
      slot.schedule->observe(it->second, lowerIsBetter);
    const bool better = std::isfinite(it->second) &&
                        (!position.hasBest ||
                         (lowerIsBetter ? it->second < position.best : it->second > position.best));
    if (better) {
      position.hasBest = true;
      position.best = it->second;
      summary.best = it->second;
      if (writes) {
        const auto averaged = emaWeights();
        if (networks.size() == 1) {
          saveModelWeights(run.bestCheckpoint(), *networks.front().module);
        } else {
          std::vector<std::pair<std::string, torch::nn::Module*>> named;
          for (const auto& n : networks)
            named.emplace_back(n.name, n.module.get());
          saveNetworkWeights(run.bestCheckpoint(), named);
        }
      }
      logInfo("new best ", config_.best_metric, " = ", formatLoss(it->second));
    }
  };

  trainMode(true);
  try {
    while (position.step < total) {
      const int64_t epoch = position.epoch;
      for (int64_t batch = position.batchInEpoch; batch < perEpoch && position.step < total;
           ++batch) {
        if (job)
          job->checkCancelled();
        if (stopAfterSteps_ > 0 && position.step - startStep >= stopAfterSteps_) {
          emitTrainRecord();
          saveLast();
          publishStatus("interrupted",
                        "stopped after " + std::to_string(stopAfterSteps_) + " steps as requested");
          summary.steps = position.step;
          summary.epochs = position.epoch;
          return summary;
        }
        for (auto& slot : slots) {
          slot.optimizer->zero_grad();
          slot.setLearningRate(slot.schedule->lrAt(position.step));
        }
        // A loss or gradients that are not finite never reach the weights or the EMA: the
        // context refuses the optimiser step (NonFiniteStep).
        StepContext context(slots, group.get(), scaler ? &*scaler : nullptr, position.step, epoch);
        std::string broken;
        {
          AutocastScope autocast(amp);
          try {
            task_.step(context, epoch, batch);
          } catch (const NonFiniteStep& e) {
            broken = e.what();
          }
        }
        ++position.step;
        position.batchInEpoch = batch + 1;
        const auto logged = averageOverRanks(group.get(), context.logged());
        for (const auto& [name, value] : logged)
          window.add("train/" + name, value);
        if (scaler) {
          // An overflow at this scale skipped the optimisers that met it; the scale backs off,
          // as PyTorch's GradScaler does, and the run goes on.
          scaler->update(!context.overflowed());
          window.add("train/loss_scale", scaler->scale());
        }
        if (!broken.empty()) {
          emitTrainRecord();
          for (auto& slot : slots)
            slot.optimizer->zero_grad();
          if (config_.stop_on_nan) {
            const std::string message =
                broken + " at step " + std::to_string(position.step) + "; " + lastGood();
            publishStatus("failed", message);
            throw Error(ErrorKind::Runtime, message);
          }
          logWarning(broken, " at step ", position.step, ": batch skipped");
          continue;
        }
        if (context.optimizerSteps() > 0)
          ++windowSteps;
        const auto loss = logged.find("loss");
        const double lossValue = loss != logged.end() ? loss->second : 0.0;
        if (position.step % config_.log_every == 0)
          emitTrainRecord();
        if (job)
          job->setProgress(double(position.step) / double(total),
                           "epoch " + std::to_string(epoch + 1) + "/" +
                               std::to_string(config_.epochs) + " · step " +
                               std::to_string(position.step) + "/" + std::to_string(total) +
                               " · loss " + formatLoss(lossValue));
        // The end of an epoch checkpoints anyway, after validation.
        if (config_.checkpoint_every_steps > 0 &&
            position.step % config_.checkpoint_every_steps == 0 && batch + 1 < perEpoch) {
          saveLast();
          publishStatus("running");
        }
      }
      // End of an epoch, or the step budget ran out inside one: validate and checkpoint.
      const bool epochDone = position.batchInEpoch >= perEpoch;
      emitTrainRecord();
      if (!epochDone || (epoch + 1) % config_.validate_every == 0 || position.step >= total)
        validate();
      if (epochDone) {
        position.epoch = epoch + 1;
        position.batchInEpoch = 0;
      }
      saveLast();
      publishStatus("running");
    }
  } catch (const CancelledError&) {
    emitTrainRecord();
    saveLast();
    publishStatus("cancelled", "cancelled at step " + std::to_string(position.step) +
                                   "; resume continues from checkpoints/last.pt");
    logWarning("training cancelled at step ", position.step, "; checkpoint saved");
    throw;
  } catch (const Error& e) {
    if (status.state != "failed")
      publishStatus("failed", e.what());
    throw;
  } catch (const c10::Error& e) {
    // LibTorch's own message, without the C++ stack trace it appends for its developers.
    const std::string what = e.what_without_backtrace();
    const std::string message = "LibTorch: " + what.substr(0, what.find('\n'));
    publishStatus("failed", message);
    throw Error(ErrorKind::Runtime, message);
  } catch (const std::exception& e) {
    publishStatus("failed", e.what());
    throw;
  }
  publishStatus("finished");
  summary.steps = position.step;
  summary.epochs = position.epoch;
  summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  logInfo("training finished: ", position.step, " steps in ", formatLoss(summary.seconds), " s",
          summary.best ? ", best " + config_.best_metric + " = " + formatLoss(*summary.best) : "");
  return summary;
}

} // namespace lumen
