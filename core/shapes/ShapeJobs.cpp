#include "shapes/ShapeJobs.h"

#include "common/Error.h"
#include "common/Log.h"
#include "shapes/ShapeTask.h"
#include "train/Checkpoint.h"
#include "train/RunDirectory.h"
#include "train/Trainer.h"

#include <filesystem>

namespace lumen {

JobPtr shapeTrainingJob(const ShapeTrainConfig& config, const std::string& runDir) {
  const std::string name = std::filesystem::path(runDir).filename().string();
  return makeJob("Shape training (phase " + std::to_string(config.phase) + ") · " + name,
                 [config, runDir](Job& job) {
                   if (!config.init.empty() && !std::filesystem::exists(config.init))
                     throw InputError("init checkpoint " + config.init + " does not exist");
                   RunDirectory run(runDir);
                   ShapeData data = loadShapeData(config.data, &job);
                   logInfo("shape training, phase ", config.phase, ": ", data.train.size(),
                           " training and ", data.val.size(), " validation cases");
                   saveConfig(config, run.configPath());
                   ShapeCompletionTask task(config, std::move(data));
                   if (!config.init.empty())
                     loadModelWeights(config.init, *task.network());
                   Trainer trainer(config.trainer, task, runDir, "shapes");
                   trainer.fit(&job);
                 });
}

} // namespace lumen
