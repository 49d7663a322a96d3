#include "train/OptimizerSlots.h"

#include "common/Error.h"

#include <algorithm>
#include <cctype>

namespace lumen {
namespace {

// Network and optimiser names become checkpoint keys and metric names.
void checkName(const std::string& name, const std::string& what) {
  const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_';
  });
  if (!ok)
    throw InputError("the task names a " + what + " '" + name +
                     "': names are letters, digits and '_'");
}

} // namespace

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerConfig& c,
                                                       std::vector<torch::Tensor> params) {
  if (c.name == "sgd")
    return std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(c.lr)
                                                           .momentum(c.momentum)
                                                           .nesterov(c.nesterov)
                                                           .weight_decay(c.weight_decay));
  if (c.name == "adam")
    return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(c.lr)
                                                            .betas({c.beta1, c.beta2})
                                                            .eps(c.eps)
                                                            .weight_decay(c.weight_decay));
  return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(c.lr)
                                                           .betas({c.beta1, c.beta2})
                                                           .eps(c.eps)
                                                           .weight_decay(c.weight_decay));
}

void OptimizerSlot::setLearningRate(double lr) {
  for (auto& group : optimizer->param_groups())
    group.options().set_lr(lr);
}

torch::nn::Module& TaskOptimization::network(const std::string& name) const {
  for (const auto& n : networks)
    if (n.name == name)
      return *n.module;
  throw InputError("an optimizer of the task names network '" + name + "', which it has not");
}

TaskOptimization buildOptimization(MultiNetworkTask& task, const TrainerConfig& config,
                                   int64_t totalSteps, int64_t stepsPerEpoch) {
  TaskOptimization out;
  out.networks = task.networks();
  const auto& networks = out.networks;
  if (networks.empty())
    throw InputError("the training task has no network");
  auto network = [&](const std::string& name) -> torch::nn::Module& { return out.network(name); };
  for (size_t i = 0; i < networks.size(); ++i) {
    checkName(networks[i].name, "network");
    for (size_t j = 0; j < i; ++j)
      if (networks[j].name == networks[i].name)
        throw InputError("the task names two networks '" + networks[i].name + "'");
  }
  auto& emas = out.emas;
  auto& slots = out.slots;
  std::vector<std::string> stepped; // networks some optimiser steps
  for (const auto& spec : task.optimizers()) {
    checkName(spec.name, "optimizer");
    for (const auto& other : slots)
      if (other.name == spec.name)
        throw InputError("the task names two optimizers '" + spec.name + "'");
    const OptimizerGroupConfig settings = spec.config.value_or(config.optimizerGroup());
    OptimizerSlot& slot = slots.emplace_back();
    slot.name = spec.name;
    slot.settings = settings;
    for (const auto& name : spec.networks) {
      if (std::find(stepped.begin(), stepped.end(), name) != stepped.end())
        throw InputError("network '" + name + "' is stepped by two optimizers");
      stepped.push_back(name);
      for (const auto& p : network(name).parameters())
        slot.parameters.push_back(p);
      if (settings.ema.enabled) {
        emas[name] = std::make_unique<WeightEma>(network(name), settings.ema.decay);
        slot.emas.emplace_back(emas[name].get(), &network(name));
      }
    }
    slot.optimizer = makeOptimizer(settings.optimizer, slot.parameters);
    slot.schedule = std::make_unique<LrSchedule>(settings.schedule, settings.optimizer.lr,
                                                 totalSteps, stepsPerEpoch);
    slot.gradClipNorm = settings.grad_clip_norm;
  }
  if (slots.empty())
    throw InputError("the training task has no optimizer");
  return out;
}

} // namespace lumen
