// Configuration of the built-in regression task, and the job that trains it. Torch-free, so the
// GUI can start runs without including LibTorch.
#pragma once
#include "common/Job.h"
#include "train/TrainerConfig.h"
#include "train/TrainingRun.h"

namespace lumen {

struct RegressionConfig {
  int samples = 4096;
  int val_samples = 1024;
  double noise = 0.05;
  double input_noise = 0.0; // Gaussian jitter added to each training batch's inputs (augmentation)
  int data_seed = 7;
  int hidden = 64;
  int layers = 2;
  int batch_size = 64;
  TrainerConfig trainer;

  template <class V> void visit(V& v) {
    v.field("samples", samples, atLeast(1));
    v.field("val_samples", val_samples, atLeast(1));
    v.field("noise", noise, atLeast(0.0));
    v.field("input_noise", input_noise, range(0.0, 10.0));
    v.field("data_seed", data_seed, atLeast(0));
    v.field("hidden", hidden, range(1, 4096));
    v.field("layers", layers, range(1, 16));
    v.field("batch_size", batch_size, range(1, 1 << 20));
    v.section("trainer", trainer);
  }
};

// A job that trains the regression task into runDir (saving config.yaml first), or resumes the
// run there from checkpoints/last.pt (see TrainingRun). Used by `lumen-cli regression train`,
// the CLI demo and the GUI's Runs workspace.
JobPtr regressionTrainingJob(const RegressionConfig& config, const std::string& runDir,
                             const TrainingRunOptions& options = {});

} // namespace lumen
