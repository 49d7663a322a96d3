#include "events/DenoiseJobs.h"

#include "common/Error.h"
#include "common/Log.h"
#include "events/DenoiseModel.h"
#include "events/Denoiser.h"
#include "events/LocalDenoiser.h"
#include "events/VoxelPairs.h"
#include "train/RunDirectory.h"
#include "train/Trainer.h"

#include <cstdio>
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
        std::unique_ptr<TrainTask> task;
        if (config.model.kind == "local")
          task = std::make_unique<EventLocalTask>(config, loadVoxelPairs(prepared, config.data));
        else
          task = std::make_unique<EventDenoiseTask>(config,
                                                    VoxelPairSamples::open(prepared, config.data));
        Trainer trainer(config.trainer, *task, runDir, "events");
        run.attach(trainer);
        trainer.fit(&run.job);
      },
      options);
}

JobPtr eventInferenceJob(const EventInferConfig& config) {
  return makeJob(
      "Denoise · " + std::filesystem::path(config.input).filename().string(), [config](Job& job) {
        if (config.input.empty() || config.output.empty())
          throw InputError("denoising needs an input recording and an output file");
        TrainedDenoiser denoiser(config.checkpoint, config.device);
        DenoiseRunOptions run;
        run.emit = parseDenoiseEmit(config.emit);
        run.threshold = float(config.threshold);
        run.batchWindows = config.batch_windows;
        run.decode.jitter = config.jitter;
        run.decode.seed = uint64_t(config.seed);
        const auto result = denoiseEventFile(denoiser, config.input, config.output, run, &job);
        const double share =
            result.eventsIn ? 100.0 * double(result.eventsOut) / double(result.eventsIn) : 0.0;
        char percent[32];
        std::snprintf(percent, sizeof percent, "%.1f", share);
        logInfo("denoised ", config.input, ": ", result.eventsOut, " of ", result.eventsIn,
                " events ", run.emit == DenoiseEmit::Keep ? "kept" : "decoded", " (", percent,
                " %), written to ", config.output);
      });
}

} // namespace lumen
