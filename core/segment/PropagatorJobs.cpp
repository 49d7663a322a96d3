#include "segment/PropagatorJobs.h"

#include "common/Error.h"
#include "common/Log.h"
#include "segment/Datastore.h"
#include "segment/PropagatorTask.h"
#include "segment/SegmentationBackends.h"
#include "train/RunDirectory.h"
#include "train/Trainer.h"

#include <cmath>
#include <ctime>
#include <filesystem>

namespace lumen {

namespace {

PropagatorData loadStudy(const PropagatorDataConfig& data, Job& job) {
  if (data.studies.empty())
    throw InputError("data.studies: no study folder given (the folder of images whose "
                     "labels/final/ the propagator learns from)");
  if (!std::filesystem::is_directory(data.studies))
    throw InputError("data.studies: " + data.studies + " is not a folder");
  segment::Datastore store(data.studies);
  auto pairs = store.trainingPairs(); // sorted by id
  if (pairs.empty())
    throw InputError("data.studies: " + data.studies +
                     " has no image with a final label (labels/final/) to train on");
  if (pairs.size() > size_t(data.max_cases))
    pairs.resize(size_t(data.max_cases));
  const size_t n = pairs.size();
  size_t val = size_t(std::lround(double(n) * data.val_fraction));
  if (data.val_fraction > 0 && n >= 2)
    val = std::clamp<size_t>(val, 1, n - 1);
  else
    val = 0;
  PropagatorData out;
  ProgressSpan progress(job, 0.0, 0.05);
  for (size_t k = 0; k < n; ++k) {
    job.checkCancelled();
    const auto& [image, label] = pairs[k];
    const std::string id = std::filesystem::path(image).filename().string();
    progress.set(double(k) / double(n),
                 "reading case " + std::to_string(k + 1) + " of " + std::to_string(n));
    auto c = loadPropagatorCase(id, image, label, data);
    (k < n - val ? out.train : out.val).push_back(std::move(c));
  }
  logInfo("propagator data: ", out.train.size(), " training case(s), ", out.val.size(),
          " validation case(s) from ", data.studies);
  return out;
}

} // namespace

std::string prepareStudyPropagatorRun(const std::string& study) {
  namespace fs = std::filesystem;
  const std::string run = studyPropagatorRun(study);
  const auto status = readRunStatus(run);
  if (!status || status->state != "finished")
    return run;
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  fs::path kept = run + "-" + stamp;
  for (int n = 2; fs::exists(kept); ++n)
    kept = run + "-" + stamp + "-" + std::to_string(n);
  fs::rename(run, kept);
  logInfo("the finished propagator run is kept as ", kept.string(), "; a new one trains");
  return run;
}

JobPtr propagatorTrainingJob(const PropagatorTrainConfig& config, const std::string& runDir,
                             const TrainingRunOptions& options) {
  return trainingRunJob(
      "Propagator training · " + std::filesystem::path(runDir).filename().string(), "segment",
      runDir, configToYaml(config),
      [config, runDir](const TrainingRun& run) {
        PropagatorTask task(config, loadStudy(config.data, run.job));
        Trainer trainer(config.trainer, task, runDir, "segment");
        run.attach(trainer);
        trainer.fit(&run.job);
      },
      options);
}

} // namespace lumen
