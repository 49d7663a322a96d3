// Training checkpoints: model, optimiser, EMA weights, schedule state, the run's random generator
// (and LibTorch's CUDA generators when there are GPUs), position (step, epoch, batch within the
// epoch), a format version and the hash of the run's configuration. Written atomically (temp
// file + rename) so a crash in the middle of a write leaves the previous checkpoint readable;
// read all or nothing, so a checkpoint that fails half-way leaves the model and optimiser as they
// were.
#pragma once
#include "train/LrSchedule.h"
#include "train/WeightEma.h"

#include <ATen/CPUGeneratorImpl.h>
#include <functional>
#include <torch/torch.h>

namespace lumen {

// The newest checkpoint layout this build writes and the oldest it reads.
constexpr int64_t kCheckpointFormat = 2;

struct TrainingPosition {
  int64_t step = 0;         // optimisation steps done
  int64_t epoch = 0;        // current epoch (0-based)
  int64_t batchInEpoch = 0; // next batch to run within the epoch
  bool hasBest = false;
  double best = 0.0;
  LrSchedule::State schedule;
  // The dynamic loss scaler of a mixed-precision run (0: none).
  double lossScale = 0.0;
  int64_t lossScaleGrowthTracker = 0;
};

// What a checkpoint holds beside the weights: the run's generator, whose state is saved and
// restored, and the hash of the configuration that wrote it.
struct CheckpointContext {
  at::Generator* generator = nullptr;
  std::string configHash;  // written into the checkpoint
  bool checkConfig = true; // refuse a checkpoint written with another configuration
};

void saveCheckpoint(const std::string& path, torch::nn::Module& model,
                    torch::optim::Optimizer& optimizer, WeightEma* ema,
                    const TrainingPosition& position, const CheckpointContext& context);

// Restores everything saveCheckpoint wrote. Throws IoError naming the file when it is missing,
// truncated, not a Lumen checkpoint or from a newer format; InputError when it was written with
// another configuration than context.configHash (unless checkConfig is off: a change the user
// accepted). A checkpoint without EMA weights for a run that
// has EMA starts the average from the loaded weights.
TrainingPosition loadCheckpoint(const std::string& path, torch::nn::Module& model,
                                torch::optim::Optimizer& optimizer, WeightEma* ema,
                                const torch::Device& device, const CheckpointContext& context);

// Loads only the model weights (inference, or initialising a later training phase).
void loadModelWeights(const std::string& path, torch::nn::Module& model,
                      const torch::Device& device = torch::kCPU);

// Writes model weights alone (the `best` checkpoint, exported models).
void saveModelWeights(const std::string& path, torch::nn::Module& model);

// A short, stable fingerprint of a configuration's YAML text (FNV-1a, hex).
std::string configHash(const std::string& yaml);

// Test seam: called with the temporary file's path after it is written and before it is renamed
// over the destination, so tests can simulate a crash in the middle of a checkpoint write.
void setCheckpointWriteHook(std::function<void(const std::string& tempPath)> hook);

} // namespace lumen
