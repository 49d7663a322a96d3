// What a pipeline gives the trainer: a model, how to compute the loss of one batch, and how to
// validate. The trainer owns everything else (optimisation, schedules, EMA, checkpoints,
// metrics, resume), so every pipeline trains the same way.
#pragma once
#include <ATen/CPUGeneratorImpl.h>
#include <cstdint>
#include <map>
#include <string>
#include <torch/torch.h>

namespace lumen {

class Job;

struct StepOutput {
  torch::Tensor loss;                   // scalar; the trainer calls backward()
  std::map<std::string, double> extras; // logged as train/<name>
};

class TrainTask {
public:
  virtual ~TrainTask() = default;
  virtual std::shared_ptr<torch::nn::Module> model() = 0;
  // Moves the model and any cached data to the device.
  virtual void to(const torch::Device& device) = 0;
  virtual int64_t batchesPerEpoch() const = 0;
  // The loss of batch `batch` of epoch `epoch`. The batch order must be a function of the seed
  // and the epoch only (see epochPermutation), so a resumed run sees the same batches.
  virtual StepOutput trainStep(int64_t epoch, int64_t batch) = 0;
  // Validation metrics without the "val/" prefix, e.g. {"loss": 0.12, "dice": 0.8}. Runs under
  // NoGradGuard with the model in eval mode (and EMA weights swapped in when enabled). `job` (may
  // be null) is checked for cancellation between validation batches, so a long validation can be
  // cancelled like the training around it.
  virtual std::map<std::string, double> validate(Job* job) = 0;

  // The run's own random generator. Every draw a step makes (noise, masks, augmentation) comes
  // from it, never from LibTorch's process-wide generator, which other runs in the same process
  // share; the trainer seeds it from trainer.seed and saves its state in every checkpoint, so a
  // resumed run draws exactly what the uninterrupted one would have.
  at::Generator& generator() { return generator_; }

private:
  at::Generator generator_ = at::detail::createCPUGenerator(0);
};

// A permutation of [0, n) that depends only on (seed, epoch).
torch::Tensor epochPermutation(int64_t n, uint64_t seed, int64_t epoch);

} // namespace lumen
