#include "train/RegressionTask.h"

#include "train/SeededInit.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>

namespace lumen {

torch::Tensor RegressionTask::target(const torch::Tensor& x) {
  using namespace torch::indexing;
  const auto x0 = x.index({Slice(), 0});
  const auto x1 = x.index({Slice(), 1});
  const auto x2 = x.index({Slice(), 2});
  return (torch::sin(M_PI * x0) * torch::cos(M_PI * x1) + 0.5 * x2 * x2).unsqueeze(1);
}

RegressionTask::RegressionTask(const RegressionConfig& config) : config_(config) {
  auto generator = at::detail::createCPUGenerator(uint64_t(config.data_seed));
  auto sample = [&](int n) {
    auto x = torch::rand({n, 3}, generator) * 2 - 1;
    auto y = target(x) + config.noise * torch::randn({n, 1}, generator);
    return std::make_pair(x, y);
  };
  std::tie(trainX_, trainY_) = sample(config.samples);
  std::tie(valX_, valY_) = sample(config.val_samples);

  // Weights initialised from the trainer's seed so two runs with one config start identically.
  seededInit(uint64_t(config.trainer.seed), [&] {
    net_->push_back(torch::nn::Linear(3, config.hidden));
    net_->push_back(torch::nn::Tanh());
    for (int i = 1; i < config.layers; ++i) {
      net_->push_back(torch::nn::Linear(config.hidden, config.hidden));
      net_->push_back(torch::nn::Tanh());
    }
    net_->push_back(torch::nn::Linear(config.hidden, 1));
    return 0;
  });
}

void RegressionTask::to(const torch::Device& device) {
  net_->to(device);
  trainX_ = trainX_.to(device);
  trainY_ = trainY_.to(device);
  valX_ = valX_.to(device);
  valY_ = valY_.to(device);
}

int64_t RegressionTask::batchesPerEpoch() const {
  return shardedBatchCount(config_.samples, config_.batch_size);
}

StepOutput RegressionTask::trainStep(int64_t epoch, int64_t batch) {
  std::vector<int64_t> rows;
  for (const auto& sample : shardedBatch(config_.samples, config_.batch_size,
                                         uint64_t(config_.trainer.seed), epoch, batch))
    rows.push_back(sample.index);
  const auto index = torch::tensor(rows, torch::kInt64).to(trainX_.device());
  auto inputs = trainX_.index_select(0, index);
  if (config_.input_noise > 0) // augmentation drawn from the run's generator (resumes exactly)
    inputs = inputs + config_.input_noise * torch::randn(inputs.sizes(), generator(),
                                                         inputs.options().device(torch::kCPU))
                                                .to(inputs.device());
  const auto prediction = net_->forward(inputs);
  StepOutput out;
  out.loss = torch::mse_loss(prediction, trainY_.index_select(0, index));
  return out;
}

std::map<std::string, double> RegressionTask::validate(Job*) {
  const auto prediction = net_->forward(valX_);
  const double mse = torch::mse_loss(prediction, valY_).item<double>();
  const double variance = valY_.var().item<double>();
  return {{"loss", mse}, {"r2", 1.0 - mse / variance}};
}

} // namespace lumen
