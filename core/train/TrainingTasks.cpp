#include "train/TrainingTasks.h"

#include "common/Config.h"
#include "common/ConfigKeys.h"
#include "common/Error.h"
#include "common/Resources.h"
#include "common/Text.h"
#include "events/DenoiseJobs.h"
#include "segment/PropagatorJobs.h"
#include "shapes/ShapeJobs.h"
#include "train/RegressionConfig.h"
#include "train/RunDirectory.h"

#include <filesystem>

namespace lumen {
namespace {

template <class Config, class Factory>
TrainingTaskInfo entry(std::string name, std::string title, std::string defaultConfig,
                       Factory factory) {
  TrainingTaskInfo info{std::move(name), std::move(title), defaultConfig, {}, {}, {}};
  info.resolve = [defaultConfig](const std::string& configFile,
                                 const std::vector<std::string>& overrides) {
    const std::string file = configFile.empty() ? findResource(defaultConfig) : configFile;
    return configToYaml(loadConfig<Config>(file, overrides));
  };
  info.start = [factory](const std::string& configYaml, const std::string& runDir,
                         const TrainingRunOptions& options) {
    return factory(configFromYamlText<Config>(configYaml, runDir + "/config.yaml"), runDir,
                   options);
  };
  info.keys = [defaultConfig] { return shippedConfigKeys<Config>(defaultConfig); };
  return info;
}

} // namespace

const std::vector<TrainingTaskInfo>& trainingTasks() {
  static const std::vector<TrainingTaskInfo> tasks{
      entry<RegressionConfig>("regression", "Regression model", "configs/train/regression.yaml",
                              regressionTrainingJob),
      entry<EventTrainConfig>("events", "Event denoiser", "configs/events/train.yaml",
                              eventTrainingJob),
      entry<ShapeTrainConfig>("shapes", "Shape autoencoder", "configs/shapes/small.yaml",
                              shapeTrainingJob),
      entry<PropagatorTrainConfig>("segment", "Slice propagator", "configs/segment/propagator.yaml",
                                   propagatorTrainingJob),
  };
  return tasks;
}

const TrainingTaskInfo& trainingTask(const std::string& name) {
  std::vector<std::string> known;
  for (const auto& task : trainingTasks()) {
    if (task.name == name)
      return task;
    known.push_back(task.name);
  }
  throw InputError("unknown training task '" + name + "' (known: " + joinLimited(known) + ")");
}

JobPtr resumeTrainingJob(const std::string& runDir) {
  const auto status = readRunStatus(runDir);
  if (!status || status->task.empty())
    throw InputError(runDir + " has no status.json naming its task: it is not a run Lumen can "
                              "resume");
  const std::string config = runDir + "/config.yaml";
  if (!std::filesystem::exists(config))
    throw InputError(runDir + " has no config.yaml: it cannot be resumed");
  if (!runCanResume(runDir))
    throw InputError(runDir + " has no checkpoints/last.pt to resume from");
  const auto& task = trainingTask(status->task);
  return task.start(task.resolve(config, {}), runDir, {});
}

} // namespace lumen
