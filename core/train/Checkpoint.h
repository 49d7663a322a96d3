// Training checkpoints: model, optimiser, EMA weights, schedule state, RNG state and position
// (step, epoch, batch within the epoch), written atomically (temp file + rename) so a crash in
// the middle of a write leaves the previous checkpoint readable.
#pragma once
#include "train/LrSchedule.h"
#include "train/WeightEma.h"

#include <functional>
#include <torch/torch.h>

namespace lumen {

struct TrainingPosition {
  int64_t step = 0;         // optimisation steps done
  int64_t epoch = 0;        // current epoch (0-based)
  int64_t batchInEpoch = 0; // next batch to run within the epoch
  bool hasBest = false;
  double best = 0.0;
  LrSchedule::State schedule;
};

void saveCheckpoint(const std::string& path, torch::nn::Module& model,
                    torch::optim::Optimizer& optimizer, WeightEma* ema,
                    const TrainingPosition& position);

// Restores everything saveCheckpoint wrote. Throws IoError naming the file when it is missing,
// truncated or not a Lumen checkpoint.
TrainingPosition loadCheckpoint(const std::string& path, torch::nn::Module& model,
                                torch::optim::Optimizer& optimizer, WeightEma* ema,
                                const torch::Device& device);

// Loads only the model weights (inference, or initialising a later training phase).
void loadModelWeights(const std::string& path, torch::nn::Module& model,
                      const torch::Device& device = torch::kCPU);

// Writes model weights alone (the `best` checkpoint, exported models).
void saveModelWeights(const std::string& path, torch::nn::Module& model);

// Test seam: called with the temporary file's path after it is written and before it is renamed
// over the destination, so tests can simulate a crash in the middle of a checkpoint write.
void setCheckpointWriteHook(std::function<void(const std::string& tempPath)> hook);

} // namespace lumen
