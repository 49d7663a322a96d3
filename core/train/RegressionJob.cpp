// The job that trains the built-in regression task (declared in RegressionConfig.h, which the GUI
// includes without LibTorch).
#include "train/RegressionConfig.h"
#include "train/RegressionTask.h"
#include "train/RunDirectory.h"
#include "train/Trainer.h"

#include <filesystem>

namespace lumen {

JobPtr regressionTrainingJob(const RegressionConfig& config, const std::string& runDir,
                             const TrainingRunOptions& options) {
  return trainingRunJob(
      "Regression training · " + std::filesystem::path(runDir).filename().string(), "regression",
      runDir, configToYaml(config),
      [config, runDir](const TrainingRun& run) {
        RegressionTask task(config);
        Trainer trainer(config.trainer, task, runDir, "regression");
        run.attach(trainer);
        trainer.fit(&run.job);
      },
      options);
}

} // namespace lumen
