#include "train/TrainTask.h"

#include "train/StepContext.h"

#include <algorithm>

namespace lumen {

torch::Tensor epochPermutation(int64_t n, uint64_t seed, int64_t epoch) {
  // A private generator keeps the order independent of everything else drawn from the global
  // one (dropout, augmentation), which a resumed run restores separately.
  auto generator = at::detail::createCPUGenerator(seed * 1000003ULL + uint64_t(epoch));
  return torch::randperm(n, generator, torch::TensorOptions().dtype(torch::kInt64));
}

at::Generator sampleGenerator(uint64_t seed, int64_t epoch, int64_t position) {
  // splitmix64 over the three numbers: nearby (epoch, position) pairs give unrelated streams.
  auto mix = [](uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  return at::detail::createCPUGenerator(mix(mix(mix(seed) ^ uint64_t(epoch)) ^ uint64_t(position)));
}

int64_t MultiNetworkTask::shardedBatchCount(int64_t samples, int64_t batchSize) const {
  const int64_t perRank = (samples + shard_.world - 1) / shard_.world;
  return (perRank + batchSize - 1) / batchSize;
}

std::vector<BatchSample> MultiNetworkTask::shardedBatch(int64_t samples, int64_t batchSize,
                                                        uint64_t seed, int64_t epoch,
                                                        int64_t batch) const {
  const auto order = epochPermutation(samples, seed, epoch);
  const int64_t* index = order.data_ptr<int64_t>();
  const int64_t perRank = (samples + shard_.world - 1) / shard_.world;
  std::vector<BatchSample> out;
  for (int64_t j = batch * batchSize; j < std::min(perRank, (batch + 1) * batchSize); ++j) {
    const int64_t position = j * shard_.world + shard_.rank;
    out.push_back({index[position % samples], position});
  }
  return out;
}

void TrainTask::step(StepContext& context, int64_t epoch, int64_t batch) {
  StepOutput out = trainStep(epoch, batch);
  // The extras are logged first: should the loss or the gradients turn out not to be finite,
  // the record that reports it still holds them.
  for (const auto& [name, value] : out.extras)
    context.log(name, value);
  context.backward(out.loss);
  context.step("model");
}

} // namespace lumen
