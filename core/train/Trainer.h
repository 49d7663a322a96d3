// The one training engine every pipeline uses. Given a task (one network, or several with their
// own optimisers: train/TrainTask.h) and a run directory it runs epochs of optimisation with
// each optimiser's learning-rate schedule, gradient clipping and weight EMA; validates on a cadence
// and tracks the best model; writes metrics.jsonl, log.txt, status.json and atomic checkpoints; and
// resumes exactly from checkpoints/last.pt. Runs inside a Job: progress is reported and
// cancellation is honoured between steps and validation batches (a cancelled run saves `last`
// first, so it resumes).
//
// A run is self-contained however many train in one process: it owns its folder (RunLock), its
// log.txt gets its own lines only, its random draws come from its task's generator, and its
// thread budget is set on its own worker thread. A step whose loss or gradients are not finite
// never reaches the weights or the EMA.
#pragma once
#include "common/Job.h"
#include "train/TrainTask.h"
#include "train/TrainerConfig.h"

#include <map>
#include <string>

namespace lumen {

class RunLock;

struct TrainSummary {
  int64_t steps = 0;
  int64_t epochs = 0;
  bool resumed = false;
  int64_t resumedFromStep = 0;
  std::optional<double> best;
  std::map<std::string, double> lastValidation; // with the "val/" prefix
  double lastTrainLoss = 0.0;
  double seconds = 0.0;
};

class Trainer {
public:
  Trainer(TrainerConfig config, MultiNetworkTask& task, std::string runDir,
          std::string taskName = {});

  // Resume from checkpoints/last.pt when it exists (default true).
  void setResume(bool resume) { resume_ = resume; }
  // Stops after this many optimisation steps in this call (a test's "interruption"); 0 = none.
  void setStopAfterSteps(int64_t steps) { stopAfterSteps_ = steps; }
  // The hash of the run's configuration (configHash of config.yaml): written into checkpoints,
  // and on resume a checkpoint written with another one is refused unless `verify` is off (the
  // user accepted the change).
  void setConfigHash(std::string hash, bool verify = true) {
    configHash_ = std::move(hash);
    verifyConfig_ = verify;
  }
  // The caller already holds the run folder's lock and sends this job's log lines to log.txt (a
  // TrainingRun does both from before it writes config.yaml); otherwise fit() does.
  void setRunLock(const RunLock* lock) { heldLock_ = lock; }

  // Trains to the end (or until cancelled / stopped). `job` may be null.
  TrainSummary fit(Job* job = nullptr);

  int64_t totalSteps() const;

private:
  TrainerConfig config_;
  MultiNetworkTask& task_;
  std::string runDir_;
  std::string taskName_;
  bool resume_ = true;
  int64_t stopAfterSteps_ = 0;
  std::string configHash_;
  bool verifyConfig_ = true;
  const RunLock* heldLock_ = nullptr;
};

} // namespace lumen
