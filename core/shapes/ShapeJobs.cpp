#include "shapes/ShapeJobs.h"

#include "common/Error.h"
#include "common/Log.h"
#include "shapes/ShapeTask.h"
#include "train/Checkpoint.h"
#include "train/RunDirectory.h"
#include "train/Trainer.h"

#include <filesystem>

namespace lumen {

JobPtr shapeTrainingJob(const ShapeTrainConfig& config, const std::string& runDir,
                        const TrainingRunOptions& options) {
  // Checked before the job is queued, so a typo never starts a run.
  if (!config.init.empty() && !std::filesystem::exists(config.init))
    throw InputError("init checkpoint " + config.init + " does not exist");
  const std::string name = std::filesystem::path(runDir).filename().string();
  return trainingRunJob(
      "Shape training (phase " + std::to_string(config.phase) + ") · " + name, "shapes", runDir,
      configToYaml(config),
      [config, runDir](const TrainingRun& run) {
        ShapeData data = loadShapeData(config.data, &run.job);
        logInfo("shape training, phase ", config.phase, ": ", data.train.size(), " training and ",
                data.val.size(), " validation cases");
        ShapeCompletionTask task(config, std::move(data));
        // A resumed run continues from its own last.pt, which the trainer loads over these.
        if (!config.init.empty())
          loadModelWeights(config.init, *task.network());
        Trainer trainer(config.trainer, task, runDir, "shapes");
        run.attach(trainer);
        trainer.fit(&run.job);
      },
      options);
}

} // namespace lumen
