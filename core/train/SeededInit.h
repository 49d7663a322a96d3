// Building a model with initial weights that depend on the seed alone. LibTorch's module
// constructors draw from the process-wide generator, which every run in the process shares (the
// GUI trains several at once), so a plain manual_seed before building races with other runs.
// seededInit holds a process-wide lock while it seeds that generator, builds, and restores the
// generator's previous state. All later draws of a run come from its task's own generator
// (MultiNetworkTask::generator()).
#pragma once
#include <ATen/CPUGeneratorImpl.h>
#include <mutex>
#include <torch/torch.h>

namespace lumen {

std::mutex& globalGeneratorMutex();

template <class Build> auto seededInit(uint64_t seed, Build&& build) {
  std::lock_guard guard(globalGeneratorMutex());
  auto generator = at::detail::getDefaultCPUGenerator();
  torch::Tensor saved;
  {
    std::lock_guard lock(generator.mutex());
    saved = generator.get_state();
    generator.set_current_seed(seed);
  }
  struct Restore {
    at::Generator& generator;
    torch::Tensor& state;
    ~Restore() {
      std::lock_guard lock(generator.mutex());
      generator.set_state(state);
    }
  } restore{generator, saved};
  return build();
}

} // namespace lumen
