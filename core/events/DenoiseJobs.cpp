#include "events/DenoiseJobs.h"

#include "common/Log.h"
#include "events/DenoiseModel.h"
#include "events/Denoiser.h"
#include "events/VoxelPairs.h"
#include "train/RunDirectory.h"
#include "train/Trainer.h"

#include <filesystem>

namespace lumen {

JobPtr eventTrainingJob(const EventTrainConfig& config, const std::string& runDir) {
  const std::string prepared =
      config.data.prepared.empty() ? runDir + "/prepared.h5" : config.data.prepared;
  return makeJob("Event denoiser training · " + std::filesystem::path(runDir).filename().string(),
                 [config, runDir, prepared](Job& job) {
                   RunDirectory run(runDir);
                   if (!std::filesystem::exists(prepared)) {
                     logInfo("preparing voxel pairs into ", prepared);
                     prepareVoxelPairs(config.data, prepared, &job);
                   }
                   saveConfig(config, run.configPath());
                   EventDenoiseTask task(config, loadVoxelPairs(prepared));
                   Trainer trainer(config.trainer, task, runDir, "events");
                   trainer.fit(&job);
                 });
}

JobPtr eventInferenceJob(const EventInferConfig& config) {
  return makeJob(
      "Denoise · " + std::filesystem::path(config.input).filename().string(), [config](Job& job) {
        TrainedDenoiser denoiser(config.checkpoint, config.device);
        DecodeOptions decode;
        decode.jitter = config.jitter;
        decode.seed = uint64_t(config.seed);
        const auto result = denoiseEventFile(denoiser, config.input, config.output, decode, &job);
        logInfo("denoised ", config.input, ": ", result.eventsIn, " events in, ", result.eventsOut,
                " out, written to ", config.output);
      });
}

} // namespace lumen
