// Event pipeline throughput: voxel encoding and decoding in events/s, HDF5 event
// reading in events/s, and sweeps over event count and sensor resolution.
#include "LumenPaths.h"
#include "events/EventFile.h"
#include "events/EventImport.h"
#include "events/VoxelGrid.h"

#include <benchmark/benchmark.h>
#include <filesystem>
#include <random>

namespace {

lumen::EventArray syntheticStream(int64_t n, int width, int height, int64_t spanUs) {
  std::mt19937_64 rng(42);
  lumen::EventArray e;
  e.sensor = {width, height};
  e.reserve(size_t(n));
  for (int64_t i = 0; i < n; ++i)
    e.push(i * spanUs / n, int(rng() % uint64_t(width)), int(rng() % uint64_t(height)),
           rng() % 2 ? 1 : -1);
  return e;
}

// Args: events, width, height, hard (0/1).
void BM_EncodeVoxelGrid(benchmark::State& state) {
  const auto events =
      syntheticStream(state.range(0), int(state.range(1)), int(state.range(2)), 20000);
  lumen::VoxelOptions options;
  options.hard = state.range(3) != 0;
  for (auto _ : state) {
    auto grid = lumen::encodeVoxelGrid(events, 0, events.size(), 0, 20000, options);
    benchmark::DoNotOptimize(grid.values.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["events/s"] =
      benchmark::Counter(double(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodeVoxelGrid)
    ->Args({1'000'000, 346, 260, 0})
    ->Args({1'000'000, 640, 480, 0})
    ->Args({1'000'000, 1280, 720, 0})
    ->Args({100'000, 640, 480, 0})
    ->Args({10'000'000, 640, 480, 0})
    ->Args({1'000'000, 640, 480, 1})
    ->Unit(benchmark::kMillisecond);

// A real recording (the DVXplorer sample in ../shared/data, 320x240), all of it in one window:
// spatially coherent events, as cameras produce them.
void BM_EncodeRealRecording(benchmark::State& state) {
  const std::string sample = std::string(LUMEN_SHARED_DATA) + "/events/dvxplorer_sample.aedat4";
  if (!std::filesystem::exists(sample)) {
    state.SkipWithError("../shared/data is absent");
    return;
  }
  const auto events = lumen::loadRecording(sample);
  lumen::VoxelOptions options;
  for (auto _ : state) {
    auto grid = lumen::encodeVoxelGrid(events, 0, events.size(), events.t.front(),
                                       events.t.back() + 1, options);
    benchmark::DoNotOptimize(grid.values.data());
  }
  state.counters["events/s"] =
      benchmark::Counter(double(state.iterations() * events.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodeRealRecording)->Unit(benchmark::kMillisecond);

// Args: events in the window, width, height.
void BM_DecodeVoxelGrid(benchmark::State& state) {
  const auto events =
      syntheticStream(state.range(0), int(state.range(1)), int(state.range(2)), 20000);
  const auto grid = lumen::encodeVoxelGrid(events, 0, events.size(), 0, 20000, {});
  int64_t produced = 0;
  for (auto _ : state) {
    auto decoded = lumen::decodeVoxelGrid(grid, {});
    produced += int64_t(decoded.size());
    benchmark::DoNotOptimize(decoded.t.data());
  }
  state.counters["events/s"] = benchmark::Counter(double(produced), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeVoxelGrid)
    ->Args({100'000, 346, 260})
    ->Args({1'000'000, 640, 480})
    ->Unit(benchmark::kMillisecond);

// Args: events in the file; reads it in 1 M-event chunks.
void BM_ReadEventFile(benchmark::State& state) {
  const auto path = (std::filesystem::temp_directory_path() / "lumen-bench-events.h5").string();
  lumen::writeEventFile(path, syntheticStream(state.range(0), 640, 480, 1'000'000));
  for (auto _ : state) {
    lumen::EventFileReader reader(path);
    for (uint64_t begin = 0; begin < reader.size(); begin += 1'000'000)
      benchmark::DoNotOptimize(reader.read(begin, 1'000'000).t.data());
  }
  std::filesystem::remove(path);
  state.counters["events/s"] =
      benchmark::Counter(double(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReadEventFile)->Arg(1'000'000)->Arg(5'000'000)->Unit(benchmark::kMillisecond);

} // namespace
