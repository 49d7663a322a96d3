// How a task's optimisation is set up for a run: its named networks, one OptimizerSlot per
// optimiser it names (the parameters of its networks, the optimiser built from its settings,
// its schedule, clipping and the EMA of its networks), with the names checked: letters, digits
// and '_', no name twice, no network stepped by two optimisers, none unknown.
#pragma once
#include "train/LrSchedule.h"
#include "train/TrainTask.h"
#include "train/WeightEma.h"

#include <map>
#include <memory>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace lumen {

struct OptimizerSlot {
  std::string name;
  OptimizerGroupConfig settings;
  std::vector<torch::Tensor> parameters; // of its networks, in their order
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::unique_ptr<LrSchedule> schedule;
  double gradClipNorm = 0.0;                                   // 0: none
  std::vector<std::pair<WeightEma*, torch::nn::Module*>> emas; // its networks' averages

  void setLearningRate(double lr);
};

struct TaskOptimization {
  std::vector<NamedNetwork> networks;
  std::map<std::string, std::unique_ptr<WeightEma>> emas; // by network
  std::vector<OptimizerSlot> slots;

  // Throws InputError when the task has no network of that name.
  torch::nn::Module& network(const std::string& name) const;
};

// `totalSteps` and `stepsPerEpoch` shape the schedules. Throws InputError naming what is wrong.
TaskOptimization buildOptimization(MultiNetworkTask& task, const TrainerConfig& config,
                                   int64_t totalSteps, int64_t stepsPerEpoch);

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerConfig& config,
                                                       std::vector<torch::Tensor> parameters);

} // namespace lumen
