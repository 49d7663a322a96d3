// What a pipeline gives the trainer: its networks and optimisers, what one step does, and how to
// validate. The trainer owns everything else (schedules, EMA, loss scaling, checkpoints, metrics,
// resume, several processes), so every pipeline trains the same way. Most tasks have one network
// and one loss (TrainTask); a GAN names its networks and optimisers (MultiNetworkTask).
#pragma once
#include "train/TrainerConfig.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace lumen {

class Job;

// The share of every global batch this process trains on: rank `rank` of `world` processes
// (data-parallel training, train/DataParallel.h); one process is rank 0 of 1.
struct DataShard {
  int rank = 0;
  int world = 1;
};

// One sample of a batch: its index in the training set and its position in the epoch's order.
// The position is the same whichever process trains the sample, so draws seeded from it
// (sampleGenerator) are what one process training the whole global batch would draw.
struct BatchSample {
  int64_t index = 0;
  int64_t position = 0;
};

struct StepOutput {
  torch::Tensor loss;                   // scalar; the trainer calls backward()
  std::map<std::string, double> extras; // logged as train/<name>
};

class StepContext; // train/StepContext.h

// A network the trainer checkpoints, moves between train and eval mode and (in data-parallel
// runs) starts from rank 0's weights. Names are letters, digits and '_'.
struct NamedNetwork {
  std::string name;
  std::shared_ptr<torch::nn::Module> module;
};

// An optimiser over the parameters of the networks it names, with its own learning rate,
// schedule, gradient clipping and weight EMA (of those networks). Without a config it takes the
// trainer's own optimizer, schedule, grad_clip_norm and ema sections.
struct NamedOptimizer {
  std::string name;
  std::vector<std::string> networks;
  std::optional<OptimizerGroupConfig> config;
};

// A task with one or several networks (a GAN's generator and discriminator, a registration
// network beside them). Its step drives the optimisation through a StepContext: backward a loss,
// step and zero an optimiser by name, log scalars. The trainer owns the rest: schedules, clipping,
// EMA, loss scaling, gradient averaging across processes, checkpoints with every network and
// optimiser, validation and resume.
class MultiNetworkTask {
public:
  virtual ~MultiNetworkTask() = default;
  virtual std::vector<NamedNetwork> networks() = 0;
  virtual std::vector<NamedOptimizer> optimizers() = 0;
  // Moves the networks and any cached data to the device.
  virtual void to(const torch::Device& device) = 0;
  virtual int64_t batchesPerEpoch() const = 0;
  // One optimisation step on batch `batch` of epoch `epoch`. The batch order must be a function
  // of the seed and the epoch only (see epochPermutation), so a resumed run sees the same
  // batches; every gradient is zeroed before the step starts.
  virtual void step(StepContext& context, int64_t epoch, int64_t batch) = 0;
  // Validation metrics without the "val/" prefix, e.g. {"loss": 0.12, "dice": 0.8}. Runs under
  // NoGradGuard with the networks in eval mode (and EMA weights swapped in where enabled). `job`
  // (may be null) is checked for cancellation between validation batches, so a long validation
  // can be cancelled like the training around it.
  virtual std::map<std::string, double> validate(Job* job) = 0;

  // The run's own random generator. Every draw a step makes (noise, masks, augmentation) comes
  // from it, never from LibTorch's process-wide generator, which other runs in the same process
  // share; the trainer seeds it from trainer.seed and saves its state in every checkpoint, so a
  // resumed run draws exactly what the uninterrupted one would have.
  at::Generator& generator() { return generator_; }

  // Set by the trainer before the first step.
  void setShard(DataShard shard) { shard_ = shard; }
  const DataShard& shard() const { return shard_; }

protected:
  // Batches per epoch when every process takes `batchSize` samples of each global batch, as with
  // PyTorch's DistributedSampler: the epoch's order is padded (by wrapping) to a multiple of the
  // world size and rank r takes every world-th sample from r. One process: ceil(samples/batch).
  int64_t shardedBatchCount(int64_t samples, int64_t batchSize) const;
  // This process's samples of batch `batch` of epoch `epoch`; together the ranks' batches are
  // samples [batch * batchSize * world, (batch + 1) * batchSize * world) of the epoch's order.
  std::vector<BatchSample> shardedBatch(int64_t samples, int64_t batchSize, uint64_t seed,
                                        int64_t epoch, int64_t batch) const;

private:
  at::Generator generator_ = at::detail::createCPUGenerator(0);
  DataShard shard_;
};

// The simple form: one network ("model"), one loss per batch, the trainer's own optimiser.
class TrainTask : public MultiNetworkTask {
public:
  virtual std::shared_ptr<torch::nn::Module> model() = 0;
  // The loss of batch `batch` of epoch `epoch`; the trainer backpropagates it and steps.
  virtual StepOutput trainStep(int64_t epoch, int64_t batch) = 0;

  std::vector<NamedNetwork> networks() final { return {{"model", model()}}; }
  std::vector<NamedOptimizer> optimizers() final { return {{"model", {"model"}, std::nullopt}}; }
  void step(StepContext& context, int64_t epoch, int64_t batch) final;
};

// A permutation of [0, n) that depends only on (seed, epoch).
torch::Tensor epochPermutation(int64_t n, uint64_t seed, int64_t epoch);

// A generator for the draws of one sample (crops, voxel subsets) that depends only on (seed,
// epoch, position in the epoch's order).
at::Generator sampleGenerator(uint64_t seed, int64_t epoch, int64_t position);

} // namespace lumen
