#include "train/Trainer.h"

#include "common/Log.h"
#include "train/Checkpoint.h"
#include "train/DataParallel.h"
#include "train/Device.h"
#include "train/GradScaler.h"
#include "train/LrSchedule.h"
#include "train/MetricsLog.h"
#include "train/RunDirectory.h"
#include "train/WeightEma.h"

#include <ATen/autocast_mode.h>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <torch/version.h>
#include <unistd.h>

namespace lumen {
namespace {

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerConfig& c,
                                                       std::vector<torch::Tensor> params) {
  if (c.name == "sgd")
    return std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(c.lr)
                                                           .momentum(c.momentum)
                                                           .nesterov(c.nesterov)
                                                           .weight_decay(c.weight_decay));
  if (c.name == "adam")
    return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(c.lr)
                                                            .betas({c.beta1, c.beta2})
                                                            .eps(c.eps)
                                                            .weight_decay(c.weight_decay));
  return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(c.lr)
                                                           .betas({c.beta1, c.beta2})
                                                           .eps(c.eps)
                                                           .weight_decay(c.weight_decay));
}

void setLearningRate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups())
    group.options().set_lr(lr);
}

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

// CUDA autocast for the extent of a training step (mixed precision).
class AutocastScope {
public:
  explicit AutocastScope(bool on) : on_(on) {
    if (!on_)
      return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    previous_ = at::autocast::is_autocast_enabled(at::kCUDA);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
    previous_ = at::autocast::is_enabled();
    at::autocast::set_enabled(true);
#endif
  }
  ~AutocastScope() {
    if (!on_)
      return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(at::kCUDA, previous_);
#else
    at::autocast::set_enabled(previous_);
#endif
    at::autocast::clear_cache();
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

private:
  bool on_;
  bool previous_ = false;
};

// Replaces the step's loss and extras by their means over the ranks, so every rank decides alike
// whether the step is finite and rank 0 logs the global batch's loss. The loss keeps its graph:
// only its value is exchanged, and each rank backpropagates its own shard's loss.
void averageOverRanks(DataParallelGroup& group, StepOutput& out) {
  std::vector<double> values{out.loss.item<double>()};
  for (const auto& [name, value] : out.extras)
    values.push_back(value);
  auto flat = torch::tensor(values, torch::kFloat64);
  group.averageInPlace({flat}, kGradientBucketBytes);
  const double* mean = flat.data_ptr<double>();
  const double shardLoss = values[0];
  // The local loss plus a constant: its gradient is the shard's, its value the global mean.
  out.loss = out.loss + (mean[0] - shardLoss);
  size_t k = 1;
  for (auto& [name, value] : out.extras)
    value = mean[k++];
}

std::string formatLoss(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

} // namespace

Trainer::Trainer(TrainerConfig config, TrainTask& task, std::string runDir, std::string taskName)
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
  auto model = task_.model();
  const int64_t perEpoch = task_.batchesPerEpoch();
  if (perEpoch <= 0)
    throw InputError("the training set is empty: no batch to train on");
  const int64_t total = totalSteps();
  const bool lowerIsBetter = config_.best_mode == "min";

  auto optimizer = makeOptimizer(config_.optimizer, model->parameters());
  std::unique_ptr<WeightEma> ema;
  if (config_.ema.enabled)
    ema = std::make_unique<WeightEma>(*model, config_.ema.decay);
  LrSchedule schedule(config_.schedule, config_.optimizer.lr, total, perEpoch);
  // Mixed precision on CUDA only: the CPU trains in float32 whatever the config says.
  const bool amp = config_.amp && device.is_cuda();
  if (config_.amp && !amp)
    logInfo("trainer.amp is on, but mixed precision is for CUDA: training in float32 on ",
            describeDevice(device));
  std::optional<GradScaler> scaler;
  if (amp)
    scaler.emplace();

  TrainSummary summary;
  TrainingPosition position;
  // Rank 0 alone judges whether last.pt belongs to this configuration: the other ranks may read
  // config.yaml before or after rank 0 rewrote it, and a refusal on rank 0 ends them all.
  const CheckpointContext checkpointContext{&task_.generator(), configHash_,
                                            verifyConfig_ && writes};
  if (resume_ && std::filesystem::exists(run.lastCheckpoint())) {
    position = loadCheckpoint(run.lastCheckpoint(), *model, *optimizer, ema.get(), device,
                              checkpointContext);
    schedule.restore(position.schedule);
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
    logInfo("training ", taskName_.empty() ? run.name() : taskName_, " on ", describeDevice(device),
            ": ", config_.epochs, " epochs x ", perEpoch, " steps, optimizer ",
            config_.optimizer.name, ", schedule ", config_.schedule.name);
  }
  if (position.hasBest)
    summary.best = position.best;
  if (group) {
    // Every rank has read last.pt before rank 0 may write it again, and all start from rank 0's
    // weights, as PyTorch DDP does.
    group->barrier();
    std::vector<torch::Tensor> state = model->parameters();
    for (const auto& buffer : model->buffers())
      state.push_back(buffer);
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
    position.schedule = schedule.state();
    if (scaler) {
      position.lossScale = scaler->scale();
      position.lossScaleGrowthTracker = scaler->growthTracker();
    }
    saveCheckpoint(run.lastCheckpoint(), *model, *optimizer, ema.get(), position,
                   checkpointContext);
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
    record.scalars["lr"] = schedule.lrAt(std::max<int64_t>(0, position.step - 1));
    if (metrics)
      metrics->append(record);
    summary.lastTrainLoss = record.scalars.count("train/loss") ? record.scalars["train/loss"] : 0;
    windowStart = Clock::now();
    windowSteps = 0;
  };

  auto validate = [&] {
    std::map<std::string, double> values;
    {
      torch::NoGradGuard noGrad;
      EmaScope emaWeights(ema.get(), *model);
      model->eval();
      values = task_.validate(job);
      model->train();
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
    schedule.observe(it->second, lowerIsBetter);
    const bool better = std::isfinite(it->second) &&
                        (!position.hasBest ||
                         (lowerIsBetter ? it->second < position.best : it->second > position.best));
    if (better) {
      position.hasBest = true;
      position.best = it->second;
      summary.best = it->second;
      if (writes) {
        EmaScope emaWeights(ema.get(), *model);
        saveModelWeights(run.bestCheckpoint(), *model);
      }
      logInfo("new best ", config_.best_metric, " = ", formatLoss(it->second));
    }
  };

  model->train();
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
        optimizer->zero_grad();
        setLearningRate(*optimizer, schedule.lrAt(position.step));
        StepOutput out;
        {
          AutocastScope autocast(amp);
          out = task_.trainStep(epoch, batch);
        }
        if (group)
          averageOverRanks(*group, out);
        const double lossValue = out.loss.item<double>();
        // A non-finite loss, or a finite one with non-finite gradients, must not reach the
        // weights or the EMA: the step is refused before optimizer->step().
        double gradNorm = 0.0;
        std::string broken;
        if (!std::isfinite(lossValue)) {
          broken =
              std::string("training loss became ") + (std::isnan(lossValue) ? "NaN" : "infinite");
        } else {
          (scaler ? scaler->scaled(out.loss) : out.loss).backward();
          if (group)
            averageGradients(*group, model->parameters(), kGradientBucketBytes);
          if (scaler) {
            // An overflow at this scale is the scaler's business, not a broken run: the step is
            // skipped and the scale backs off, as PyTorch's GradScaler does.
            const bool finite = scaler->unscale(model->parameters());
            scaler->update(finite);
            window.add("train/loss_scale", scaler->scale());
            if (!finite) {
              optimizer->zero_grad();
              ++position.step;
              position.batchInEpoch = batch + 1;
              window.add("train/loss", lossValue);
              continue;
            }
          }
          gradNorm = torch::nn::utils::clip_grad_norm_(
              model->parameters(), config_.grad_clip_norm > 0 ? config_.grad_clip_norm : INFINITY);
          if (!std::isfinite(gradNorm))
            broken = std::string("gradients became ") +
                     (std::isnan(gradNorm) ? "NaN" : "infinite") + " (the loss was " +
                     formatLoss(lossValue) + ")";
        }
        if (!broken.empty()) {
          ++position.step;
          position.batchInEpoch = batch + 1;
          window.add("train/loss", lossValue);
          if (!std::isfinite(gradNorm))
            window.add("train/grad_norm", gradNorm);
          emitTrainRecord();
          optimizer->zero_grad();
          if (config_.stop_on_nan) {
            const std::string message =
                broken + " at step " + std::to_string(position.step) + "; " + lastGood();
            publishStatus("failed", message);
            throw Error(ErrorKind::Runtime, message);
          }
          logWarning(broken, " at step ", position.step, ": batch skipped");
          continue;
        }
        optimizer->step();
        if (ema)
          ema->update(*model);
        ++position.step;
        ++windowSteps;
        position.batchInEpoch = batch + 1;
        window.add("train/loss", lossValue);
        window.add("train/grad_norm", gradNorm);
        for (const auto& [name, value] : out.extras)
          window.add("train/" + name, value);
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
