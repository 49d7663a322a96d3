#include "segment/ServiceTraining.h"

#include "common/Config.h"
#include "common/Error.h"
#include "common/Resources.h"
#include "segment/PropagatorJobs.h"
#include "segment/SegmentationBackends.h"
#include "train/RunDirectory.h"
#include "train/TrainingTasks.h"

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace lumen::segment {

namespace {

int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The MONAI Label request parameters Lumen's trainer understands, as --set overrides.
std::vector<std::string> overridesOf(const Json& params) {
  std::vector<std::string> out;
  auto number = [&](const char* key, const char* field, double lo, double hi, bool integer) {
    if (!params.contains(key))
      return;
    const auto& v = params.at(key);
    if (!v.is_number() || v.get<double>() < lo || v.get<double>() > hi ||
        (integer && std::floor(v.get<double>()) != v.get<double>()))
      throw InputError(std::string("train parameter ") + key + " must be a" +
                       (integer ? "n integer" : " number") + " in [" + std::to_string(lo) + ", " +
                       std::to_string(hi) + "]");
    out.push_back(std::string(field) + "=" +
                  (integer ? std::to_string(v.get<int64_t>()) : std::to_string(v.get<double>())));
  };
  number("max_epochs", "trainer.epochs", 1, 10000, true);
  number("learning_rate", "trainer.optimizer.lr", 1e-7, 1, false);
  number("samples_per_epoch", "data.samples_per_epoch", 1, 1e7, true);
  number("batch_size", "data.batch_size", 1, 4096, true);
  number("val_fraction", "data.val_fraction", 0, 0.9, false);
  return out;
}

const char* statusOf(JobState state) {
  switch (state) {
  case JobState::Queued:
  case JobState::Running:
    return "RUNNING";
  case JobState::Succeeded:
    return "DONE";
  case JobState::Cancelled:
    return "STOPPED";
  case JobState::Failed:
    break;
  }
  return "ERROR";
}

} // namespace

ServiceTraining::ServiceTraining(std::string study) : study_(std::move(study)) {}

ServiceTraining::~ServiceTraining() {
  {
    std::lock_guard lock(mutex_);
    if (job_)
      job_->requestCancel();
  }
  if (thread_.joinable())
    thread_.join();
}

Json ServiceTraining::taskJsonLocked() const {
  if (task_.is_null())
    return nullptr;
  Json task = task_;
  if (job_) {
    const JobState state = job_->state();
    task["status"] = statusOf(state);
    Json details = Json::array();
    details.push_back(std::to_string(int(std::lround(job_->progress() * 100))) + "% " +
                      job_->stage());
    if (state == JobState::Failed)
      details.push_back(job_->errorMessage());
    task["details"] = details;
    if (state != JobState::Queued && state != JobState::Running && !task.contains("end_ts"))
      task["end_ts"] = nowSeconds();
  }
  return task;
}

Json ServiceTraining::start(const std::string& model, const Json& params,
                            const std::string& taskId) {
  if (!model.empty() && model != "learned")
    throw InputError("model '" + model + "' cannot be trained here; the trainer is 'learned'");
  const auto overrides = overridesOf(params.is_object() ? params : Json::object());
  std::lock_guard lock(mutex_);
  if (job_ && (job_->state() == JobState::Queued || job_->state() == JobState::Running))
    throw TrainingBusy("a training task is already running");
  if (thread_.joinable())
    thread_.join();
  std::vector<std::string> all{"data.studies=" + study_};
  all.insert(all.end(), overrides.begin(), overrides.end());
  const auto& task = trainingTask("segment");
  const std::string runDir = prepareStudyPropagatorRun(study_);
  TrainingRunOptions options;
  options.acceptConfigChange = true; // a request's new settings continue the study's run
  job_ = task.start(task.resolve("", all), runDir, options);
  task_ = {{"id", taskId},
           {"name", "train_learned"},
           {"request", params.is_object() ? params : Json::object()},
           {"status", "RUNNING"},
           {"start_ts", nowSeconds()}};
  thread_ = std::thread([job = job_] { job->run(); });
  return taskJsonLocked();
}

Json ServiceTraining::status(bool onlyRunning) {
  std::lock_guard lock(mutex_);
  const Json task = taskJsonLocked();
  if (onlyRunning && (task.is_null() || task["status"] != "RUNNING"))
    return nullptr;
  return task;
}

Json ServiceTraining::stop() {
  std::lock_guard lock(mutex_);
  if (!job_ || !(job_->state() == JobState::Queued || job_->state() == JobState::Running))
    return nullptr;
  job_->requestCancel();
  Json task = taskJsonLocked();
  task["status"] = "STOPPED";
  return task;
}

Json ServiceTraining::trainers() const {
  const auto shipped =
      loadConfig<PropagatorTrainConfig>(findResource(trainingTask("segment").defaultConfig));
  return {{"learned",
           {{"description", "Lumen's 2D slice propagator, trained on the study's final labels "
                            "(models/propagator)"},
            {"config",
             {{"max_epochs", shipped.trainer.epochs},
              {"learning_rate", shipped.trainer.optimizer.lr},
              {"samples_per_epoch", shipped.data.samples_per_epoch},
              {"batch_size", shipped.data.batch_size},
              {"val_fraction", shipped.data.val_fraction}}}}}};
}

Json ServiceTraining::trainStats() const {
  const auto status = readRunStatus(studyPropagatorRun(study_));
  if (!status)
    return Json::object();
  Json stats = {{"state", status->state},
                // 1-based, as MONAI Label's trainers report it: the epoch under way while one
                // runs, else the last one done (status.json counts epochs completed).
                {"epoch", status->state == "running" ? status->epoch + 1 : status->epoch},
                {"steps", status->step},
                {"total_steps", status->totalSteps},
                {"best_key_metric", status->bestMetric}};
  stats["best_metric"] = status->best ? Json(*status->best) : Json(nullptr);
  return {{"learned", stats}};
}

} // namespace lumen::segment
