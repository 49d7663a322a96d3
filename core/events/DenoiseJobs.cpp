#include "events/DenoiseJobs.h"

#include "common/Log.h"
#include "events/DenoiseModel.h"
#include "events/Denoiser.h"
#include "events/VoxelPairs.h"
#include "train/RunDirectory.h"
#include "train/Trainer.h"

#include <filesystem>

namespace lumen {

JobPtr eventTrainingJob(const EventTrainConfig& config, const std::string& runDir,
                        const TrainingRunOptions& options) {
  return trainingRunJob(
      "Event denoiser training · " + std::filesystem::path(runDir).filename().string(), "events",
      runDir, configToYaml(config),
      [config, runDir](const TrainingRun& run) {
        // Before preparing, which can take minutes, refuse a network that cannot run.
        checkDenoiseModelFits(config);
        const std::string prepared = ensurePreparedPairs(config.data, runDir, &run.job);
        EventDenoiseTask task(config, loadVoxelPairs(prepared, config.data));
        Trainer trainer(config.trainer, task, runDir, "events");
        run.attach(trainer);
        trainer.fit(&run.job);
      },
      options);
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
