// Torch-free entry points for the GUI and the CLI: jobs that train the shape autoencoder and
// complete or evaluate hearts with it. Widgets include this header, never LibTorch.
#pragma once
#include "common/Job.h"
#include "shapes/ShapeConfig.h"
#include "train/TrainingRun.h"

#include <string>

namespace lumen {

// Loads the prepared datasets of config.data.dirs, saves config.yaml, initialises from
// config.init (the previous phase's weights) when given, and trains (or resumes) into runDir.
JobPtr shapeTrainingJob(const ShapeTrainConfig& config, const std::string& runDir,
                        const TrainingRunOptions& options = {});

} // namespace lumen
