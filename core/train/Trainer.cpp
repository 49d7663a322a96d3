#include "train/Trainer.h"

#include "common/Log.h"
#include "train/Checkpoint.h"
#include "train/Device.h"
#include "train/LrSchedule.h"
#include "train/MetricsLog.h"
#include "train/RunDirectory.h"
#include "train/WeightEma.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
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
  // A training job (TrainingRun) holds the lock and routes its lines into log.txt already.
  std::optional<RunLock> ownLock;
  std::optional<ScopedLogSink> fileLog;
  if (!heldLock_) {
    ownLock.emplace(runDir_);
    fileLog.emplace(std::make_shared<FileLogSink>(run.logPath()),
                    ScopedLogSink::Scope::CurrentContext);
  }

  configureTorchThreads(config_.threads);
  const torch::Device device = resolveDevice(config_.device);
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

  TrainSummary summary;
  TrainingPosition position;
  const CheckpointContext checkpointContext{&task_.generator(), configHash_, verifyConfig_};
  if (resume_ && std::filesystem::exists(run.lastCheckpoint())) {
    position = loadCheckpoint(run.lastCheckpoint(), *model, *optimizer, ema.get(), device,
                              checkpointContext);
    schedule.restore(position.schedule);
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

  MetricsWriter metrics(run.metricsPath());
  RunStatus status;
  status.task = taskName_;
  status.totalSteps = total;
  status.bestMetric = config_.best_metric;
  status.pid = static_cast<int>(::getpid());
  status.host = hostName();
  auto publishStatus = [&](const std::string& state, const std::string& message = {}) {
    status.state = state;
    status.step = position.step;
    status.epoch = position.epoch;
    status.best = position.hasBest ? std::optional<double>(position.best) : std::nullopt;
    status.message = message;
    status.updated = unixTimeNow();
    run.writeStatus(status);
  };
  auto saveLast = [&] {
    position.schedule = schedule.state();
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
    metrics.append(record);
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
    metrics.append(record);
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
      EmaScope emaWeights(ema.get(), *model);
      saveModelWeights(run.bestCheckpoint(), *model);
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
        StepOutput out = task_.trainStep(epoch, batch);
        const double lossValue = out.loss.item<double>();
        // A non-finite loss, or a finite one with non-finite gradients, must not reach the
        // weights or the EMA: the step is refused before optimizer->step().
        double gradNorm = 0.0;
        std::string broken;
        if (!std::isfinite(lossValue)) {
          broken =
              std::string("training loss became ") + (std::isnan(lossValue) ? "NaN" : "infinite");
        } else {
          out.loss.backward();
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
