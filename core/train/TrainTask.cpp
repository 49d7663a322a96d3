#include "train/TrainTask.h"

namespace lumen {

torch::Tensor epochPermutation(int64_t n, uint64_t seed, int64_t epoch) {
  // A private generator keeps the order independent of everything else drawn from the global
  // one (dropout, augmentation), which a resumed run restores separately.
  auto generator = at::detail::createCPUGenerator(seed * 1000003ULL + uint64_t(epoch));
  return torch::randperm(n, generator, torch::TensorOptions().dtype(torch::kInt64));
}

} // namespace lumen
