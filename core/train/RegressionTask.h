// A small, genuine regression problem: an MLP learns f(x) = sin(pi x0) cos(pi x1) + 0.5 x2^2
// from noisy samples. It exercises the whole trainer (used by the trainer tests, `lumen-cli
// demo` and the GUI's demo run) before any pipeline exists, in seconds on one CPU core.
#pragma once
#include "train/TrainTask.h"
#include "train/TrainerConfig.h"

namespace lumen {

struct RegressionConfig {
  int samples = 4096;
  int val_samples = 1024;
  double noise = 0.05;
  int data_seed = 7;
  int hidden = 64;
  int layers = 2;
  int batch_size = 64;
  TrainerConfig trainer;

  template <class V> void visit(V& v) {
    v.field("samples", samples, atLeast(1));
    v.field("val_samples", val_samples, atLeast(1));
    v.field("noise", noise, atLeast(0.0));
    v.field("data_seed", data_seed, atLeast(0));
    v.field("hidden", hidden, range(1, 4096));
    v.field("layers", layers, range(1, 16));
    v.field("batch_size", batch_size, range(1, 1 << 20));
    v.section("trainer", trainer);
  }
};

class RegressionTask : public TrainTask {
public:
  explicit RegressionTask(const RegressionConfig& config);
  std::shared_ptr<torch::nn::Module> model() override { return net_.ptr(); }
  void to(const torch::Device& device) override;
  int64_t batchesPerEpoch() const override;
  StepOutput trainStep(int64_t epoch, int64_t batch) override;
  std::map<std::string, double> validate() override;

  static torch::Tensor target(const torch::Tensor& x);

private:
  RegressionConfig config_;
  torch::nn::Sequential net_;
  torch::Tensor trainX_, trainY_, valX_, valY_;
  torch::Tensor order_;
  int64_t orderEpoch_ = -1;
};

} // namespace lumen
