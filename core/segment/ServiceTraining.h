// The service's training, as MONAI Label's /train/ routes expose it: one task at a time training
// the learned propagator on the served study folder (its models/propagator run, resumed when it
// is there), on a thread of its own, with MONAI Label's task JSON (id, name, status RUNNING |
// DONE | ERROR | STOPPED, start_ts, end_ts, details) and the trainer/train_stats entries of
// /info/. A run that finishes makes the "learned" model appear in /info/ at the next request.
#pragma once
#include "segment/DatastoreDocument.h"

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace lumen {
class Job;
}

namespace lumen::segment {

// A training task runs already (MONAI Label answers 429).
struct TrainingBusy : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ServiceTraining {
public:
  explicit ServiceTraining(std::string study);
  ~ServiceTraining(); // cancels a running task and waits for it

  // POST /train/{model}: `params` may set max_epochs, learning_rate, samples_per_epoch,
  // batch_size, val_fraction. Returns the task; throws TrainingBusy when one is running
  // (the caller answers 429) and InputError for a bad parameter or an unknown model.
  Json start(const std::string& model, const Json& params, const std::string& taskId);
  // GET /train/: the running task, else the last one; null when there was none.
  Json status(bool onlyRunning);
  // DELETE /train/: cancels the running task; null when none runs.
  Json stop();

  // /info/'s "trainers" and "train_stats".
  Json trainers() const;
  Json trainStats() const;

private:
  Json taskJsonLocked() const;

  std::string study_;
  mutable std::mutex mutex_;
  std::shared_ptr<Job> job_;
  std::thread thread_;
  Json task_; // null until the first start
};

} // namespace lumen::segment
