// Torch-free entry points for the GUI and the CLI: jobs that prepare, train and run the event
// denoiser. Widgets include this header, never LibTorch.
#pragma once
#include "common/Job.h"
#include "events/DenoiseConfig.h"
#include "train/TrainingRun.h"

#include <string>

namespace lumen {

// Saves config.yaml, prepares the voxel pairs unless a file prepared with the same settings
// exists (ensurePreparedPairs: <runDir>/prepared.h5 or data.prepared) and trains (or resumes)
// the 3D U-Net into runDir.
JobPtr eventTrainingJob(const EventTrainConfig& config, const std::string& runDir,
                        const TrainingRunOptions& options = {});

// Denoises config.input into config.output with the run of config.checkpoint.
JobPtr eventInferenceJob(const EventInferConfig& config);

} // namespace lumen
