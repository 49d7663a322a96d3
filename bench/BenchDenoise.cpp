// Where the time of `lumen-cli events infer` goes, one DAVIS346 window (20 ms, 8 bins) at a
// time: encoding, the default 3D U-Net (resources/configs/events/train.yaml) and decoding.
// Encoding, decoding and reading must not be the bottleneck of `events infer`.
#include "events/DenoiseModel.h"
#include "events/VoxelGrid.h"

#include <benchmark/benchmark.h>
#include <random>

namespace {

// A window of `n` events spread over the sensor, in time order.
lumen::EventArray windowEvents(int64_t n) {
  std::mt19937_64 rng(7);
  lumen::EventArray e;
  e.sensor = {346, 260};
  for (int64_t i = 0; i < n; ++i)
    e.push(i * 20000 / n, int(rng() % 346), int(rng() % 260), rng() % 2 ? 1 : -1);
  return e;
}

// Arg: events in the window.
void BM_InferWindowEncode(benchmark::State& state) {
  const auto events = windowEvents(state.range(0));
  for (auto _ : state)
    benchmark::DoNotOptimize(
        lumen::encodeVoxelGrid(events, 0, events.size(), 0, 20000, {}).values.data());
  state.counters["windows/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InferWindowEncode)->Arg(20'000)->Arg(200'000)->Unit(benchmark::kMillisecond);

// Arg: LibTorch threads.
void BM_InferWindowNetwork(benchmark::State& state) {
  torch::set_num_threads(int(state.range(0)));
  torch::NoGradGuard noGrad;
  torch::manual_seed(0);
  lumen::UNet3d model = lumen::makeDenoiseModel(lumen::EventModelConfig{});
  model->eval();
  const auto events = windowEvents(20'000);
  const auto grid = lumen::encodeVoxelGrid(events, 0, events.size(), 0, 20000, {});
  for (auto _ : state)
    benchmark::DoNotOptimize(
        lumen::denoiseGrids(model, {grid}, lumen::EventTrainConfig{}, torch::kCPU)[0]
            .values.data());
  state.counters["windows/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InferWindowNetwork)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// Arg: events in the window the grid was encoded from (about as many are decoded).
void BM_InferWindowDecode(benchmark::State& state) {
  const auto events = windowEvents(state.range(0));
  const auto grid = lumen::encodeVoxelGrid(events, 0, events.size(), 0, 20000, {});
  for (auto _ : state)
    benchmark::DoNotOptimize(lumen::decodeVoxelGrid(grid, {}).t.data());
  state.counters["windows/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InferWindowDecode)->Arg(20'000)->Arg(200'000)->Unit(benchmark::kMillisecond);

} // namespace
