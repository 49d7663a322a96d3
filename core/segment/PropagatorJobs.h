// Torch-free entry point for the GUI and the CLI: a job training (or resuming) the learned slice
// propagator on a study folder's `final` labels. Widgets include this header, never LibTorch.
#pragma once
#include "common/Job.h"
#include "segment/PropagatorConfig.h"
#include "train/TrainingRun.h"

#include <string>

namespace lumen {

// Saves config.yaml, reads the cases of config.data.studies (images with a `final` label; the
// last val_fraction of them by id are held out) and trains the 2D U-Net into runDir. The
// study's default run is studyPropagatorRun (SegmentationBackends.h), where the "learned"
// backend looks.
JobPtr propagatorTrainingJob(const PropagatorTrainConfig& config, const std::string& runDir,
                             const TrainingRunOptions& options = {});

// The run folder a new training of the study's propagator goes to: studyPropagatorRun(study),
// which resumes when it holds an unfinished run; a finished run there is first kept as
// models/propagator-<yyyymmdd-hhmmss> (the learned backend then uses the new one once it has a
// checkpoint), so training again learns from the labels accepted since.
std::string prepareStudyPropagatorRun(const std::string& study);

} // namespace lumen
