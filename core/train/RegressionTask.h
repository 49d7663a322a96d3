// A small, genuine regression problem: an MLP learns f(x) = sin(pi x0) cos(pi x1) + 0.5 x2^2
// from noisy samples. It exercises the whole trainer (used by the trainer tests, `lumen-cli
// demo` and the GUI's demo run) before any pipeline exists, in seconds on one CPU core.
#pragma once
#include "train/RegressionConfig.h"
#include "train/TrainTask.h"

namespace lumen {

class RegressionTask : public TrainTask {
public:
  explicit RegressionTask(const RegressionConfig& config);
  std::shared_ptr<torch::nn::Module> model() override { return net_.ptr(); }
  void to(const torch::Device& device) override;
  int64_t batchesPerEpoch() const override;
  StepOutput trainStep(int64_t epoch, int64_t batch) override;
  std::map<std::string, double> validate(Job* job) override;

  static torch::Tensor target(const torch::Tensor& x);

private:
  RegressionConfig config_;
  torch::nn::Sequential net_;
  torch::Tensor trainX_, trainY_, valX_, valY_;
};

} // namespace lumen
