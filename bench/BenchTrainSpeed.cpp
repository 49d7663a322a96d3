// SPEC P4: one optimisation step (forward, loss, backward, AdamW) of the models Lumen trains,
// at the shapes their shipped configs train: the events 3D U-Net (f_maps 8, 3 levels, batch 4 of
// 8 x 64 x 64 crops, MSE) and the shapes VecSet (small.yaml: width 128, 128 latents, depth 4,
// batch 8 of 2048 points and 2048 queries, masked BCE). bench/python/train_step_torch.py builds
// the same networks in PyTorch; bench/train_speed.sh runs both with the same thread count and
// prints the ratio.
#include "common/Config.h"
#include "common/Resources.h"
#include "events/DenoiseConfig.h"
#include "events/SyntheticEvents.h"
#include "events/VoxelPairs.h"
#include "nn/UNet3d.h"
#include "nn/VecSet.h"
#include "train/Device.h"

#include <benchmark/benchmark.h>
#include <filesystem>
#include <random>

namespace {

void BM_TrainStepEventsUNet3d(benchmark::State& state) {
  lumen::configureTorchThreads(int(state.range(0)));
  torch::manual_seed(0);
  lumen::UNet3dOptions options;
  options.fMaps = 8;
  options.levels = 3;
  options.groups = 4;
  lumen::UNet3d model(options);
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(3e-3));
  const auto x = torch::rand({4, 1, 8, 64, 64});
  const auto y = torch::rand({4, 1, 8, 64, 64});
  for (auto _ : state) {
    optimizer.zero_grad();
    const auto loss = torch::mse_loss(x + model->forward(x), y);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.item<float>());
  }
  state.counters["steps/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainStepEventsUNet3d)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_TrainStepShapesVecSet(benchmark::State& state) {
  lumen::configureTorchThreads(int(state.range(0)));
  torch::manual_seed(0);
  lumen::VecSetOptions options;
  options.bottleneck = "layernorm";
  lumen::VecSetAutoencoder model(options);
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
  const int64_t B = 8, N = 2048, Q = 2048, C = 10;
  const auto points = torch::rand({B, N, 3}) * 2 - 1;
  const auto classes = torch::one_hot(torch::randint(C, {B, N}), C).to(torch::kFloat32);
  const auto queries = torch::rand({B, Q, 3}) * 2 - 1;
  const auto occupancy = (torch::rand({B, Q, C}) < 0.1).to(torch::kFloat32);
  for (auto _ : state) {
    optimizer.zero_grad();
    const auto encoding = model->encode(points, classes);
    const auto logits = model->decode(encoding.latents, queries);
    const auto loss = torch::binary_cross_entropy_with_logits(logits, occupancy);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.item<float>());
  }
  state.counters["steps/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainStepShapesVecSet)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(3.0);

// What a U-Net training step reads before it trains: batch_size (4) whole DAVIS346-sized
// frames (8 bins x 260 x 346), raw and label, streamed from a prepared file (one deflated chunk
// per sample), in random order. Compare its time with BM_TrainStepEventsUNet3d's step.
void BM_ReadEventBatchStreamed(benchmark::State& state) {
  namespace fs = std::filesystem;
  const std::string dir = (fs::temp_directory_path() / "lumen-bench-event-batch").string();
  fs::remove_all(dir);
  lumen::SyntheticEventConfig synth;
  synth.width = 346;
  synth.height = 260;
  lumen::writeSyntheticEventDataset(dir, 4, 3, synth);
  auto config = lumen::loadConfig<lumen::EventTrainConfig>(
      lumen::findResource("configs/events/train.yaml"),
      {"data.noisy_dir=" + dir + "/" + lumen::kNoisyFolder,
       "data.clean_dir=" + dir + "/" + lumen::kCleanFolder});
  lumen::prepareVoxelPairs(config.data, dir + "/prepared.h5");
  const auto samples = lumen::VoxelPairSamples::open(dir + "/prepared.h5", config.data);
  std::vector<float> raw(samples.valuesPerSample()), label(samples.valuesPerSample());
  std::mt19937 random(1);
  for (auto _ : state)
    for (int k = 0; k < config.data.batch_size; ++k)
      samples.read(random() % samples.samples(), raw.data(), label.data());
  state.counters["batches/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["MB/s"] = benchmark::Counter(double(state.iterations()) * config.data.batch_size *
                                                  2.0 * double(raw.size()) * 4.0 / 1e6,
                                              benchmark::Counter::kIsRate);
  fs::remove_all(dir);
}
BENCHMARK(BM_ReadEventBatchStreamed)->Unit(benchmark::kMillisecond)->MinTime(2.0);

} // namespace
