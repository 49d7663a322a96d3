// Training checkpoints: every network, optimiser, EMA and schedule state of a run, keyed by
// name, the loss scaler, the run's random generator
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

// The checkpoint layout this build writes. It reads every earlier one: formats 1 and 2 held one
// model and one optimiser, read as a run's only network and optimiser.
constexpr int64_t kCheckpointFormat = 3;

struct TrainingPosition {
  int64_t step = 0;         // optimisation steps done
  int64_t epoch = 0;        // current epoch (0-based)
  int64_t batchInEpoch = 0; // next batch to run within the epoch
  bool hasBest = false;
  double best = 0.0;
  // The only optimiser's schedule (saveCheckpoint / loadCheckpoint; TrainingState holds one
  // per optimiser).
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

// What a run checkpoints, by name: each network with its EMA (null: none), each optimiser with
// its schedule's state. Names are letters, digits and '_'.
struct CheckpointNetwork {
  std::string name;
  torch::nn::Module* module = nullptr;
  WeightEma* ema = nullptr;
};
struct CheckpointOptimizer {
  std::string name;
  torch::optim::Optimizer* optimizer = nullptr;
  LrSchedule::State* schedule = nullptr;
};
struct TrainingState {
  std::vector<CheckpointNetwork> networks;
  std::vector<CheckpointOptimizer> optimizers;
};

void saveTrainingCheckpoint(const std::string& path, const TrainingState& state,
                            const TrainingPosition& position, const CheckpointContext& context);

// Restores everything saveTrainingCheckpoint wrote into `state`. Throws IoError naming the file
// when it is missing, truncated, not a Lumen checkpoint, from a newer format or without one of
// the state's networks or optimisers; InputError when it was written with another configuration
// than context.configHash (unless checkConfig is off: a change the user accepted). A checkpoint
// without EMA weights for a network that has an EMA starts the average from the loaded weights.
// All or nothing: should a read fail half-way, every network and optimiser is put back.
TrainingPosition loadTrainingCheckpoint(const std::string& path, const TrainingState& state,
                                        const torch::Device& device,
                                        const CheckpointContext& context);

// One model and one optimiser (the network "model"): the simple form of the two above.
void saveCheckpoint(const std::string& path, torch::nn::Module& model,
                    torch::optim::Optimizer& optimizer, WeightEma* ema,
                    const TrainingPosition& position, const CheckpointContext& context);

TrainingPosition loadCheckpoint(const std::string& path, torch::nn::Module& model,
                                torch::optim::Optimizer& optimizer, WeightEma* ema,
                                const torch::Device& device, const CheckpointContext& context);

// Loads only the model weights (inference, or initialising a later training phase) from a
// weights file or a training checkpoint of a task with one network.
void loadModelWeights(const std::string& path, torch::nn::Module& model,
                      const torch::Device& device = torch::kCPU);
// Loads one named network's weights from a checkpoint or weights file of a task with several.
void loadNetworkWeights(const std::string& path, const std::string& name,
                        torch::nn::Module& network, const torch::Device& device = torch::kCPU);

// Writes model weights alone (the `best` checkpoint, exported models).
void saveModelWeights(const std::string& path, torch::nn::Module& model);
// Writes several networks' weights, by name (the `best` checkpoint of a multi-network task).
void saveNetworkWeights(const std::string& path,
                        const std::vector<std::pair<std::string, torch::nn::Module*>>& networks);

// A short, stable fingerprint of a configuration's YAML text (FNV-1a, hex).
std::string configHash(const std::string& yaml);

// Test seam: called with the temporary file's path after it is written and before it is renamed
// over the destination, so tests can simulate a crash in the middle of a checkpoint write.
void setCheckpointWriteHook(std::function<void(const std::string& tempPath)> hook);

} // namespace lumen
