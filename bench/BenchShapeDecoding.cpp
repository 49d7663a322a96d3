// Shape decoding throughput: a heart's latent set decoded on 64^3, 128^3 and 256^3
// grids, densely (every sample through the network) and coarse to fine (exact only near
// boundaries and uncertain values). The refinement share depends on the model: set
// LUMEN_SHAPE_CHECKPOINT to a trained run's best.pt for real figures; without it a freshly
// initialised model of the shipped small config is used, which only measures the network's speed.
#include "common/Config.h"
#include "common/Resources.h"
#include "shapes/PreparedShape.h"
#include "shapes/ShapeCompletion.h"
#include "shapes/ShapePreparation.h"
#include "shapes/ShapeTask.h"
#include "shapes/SyntheticHeart.h"
#include "train/Checkpoint.h"
#include "train/RunDirectory.h"

#include <benchmark/benchmark.h>
#include <cstdlib>
#include <filesystem>

namespace {

const lumen::TrainedShapeModel& model() {
  static const std::unique_ptr<lumen::TrainedShapeModel> instance = [] {
    if (const char* checkpoint = std::getenv("LUMEN_SHAPE_CHECKPOINT"))
      return std::make_unique<lumen::TrainedShapeModel>(checkpoint, "cpu");
    const std::string dir =
        (std::filesystem::temp_directory_path() / "lumen-bench-shape-model").string();
    lumen::RunDirectory run(dir);
    const auto config = lumen::loadConfig<lumen::ShapeTrainConfig>(
        lumen::findResource("configs/shapes/small.yaml"));
    lumen::saveConfig(config, run.configPath());
    auto network = lumen::makeShapeModel(config.model);
    lumen::saveModelWeights(run.bestCheckpoint(), *network);
    return std::make_unique<lumen::TrainedShapeModel>(run.bestCheckpoint(), "cpu");
  }();
  return *instance;
}

const lumen::PreparedShape& heart() {
  static const lumen::PreparedShape shape = [] {
    lumen::ShapePrepareOptions o;
    o.volumeQueries = o.nearQueries = 0;
    return lumen::prepareShape(lumen::makeSyntheticHeart(0), "bench", o);
  }();
  return shape;
}

// Arg: samples per axis over the case's [-1, 1]^3; range(1) = 1 for coarse to fine, 0 dense.
void BM_DecodeShape(benchmark::State& state) {
  const int64_t n = state.range(0);
  lumen::GridSpec grid;
  grid.size = {n, n, n};
  grid.origin = {-1, -1, -1};
  grid.spacing = {2.0 / double(n - 1), 2.0 / double(n - 1), 2.0 / double(n - 1)};
  lumen::ShapeDecodeOptions options;
  if (state.range(1) == 0) {
    options.coarsest = int(n); // one level: every sample through the network
  }
  int64_t evaluated = 0;
  for (auto _ : state) {
    const auto decoded =
        model().decode(heart().surfacePoints, heart().surfaceLabels, grid, options);
    evaluated = decoded.evaluated;
    benchmark::DoNotOptimize(decoded.labels.data());
  }
  state.counters["samples/s"] = benchmark::Counter(double(n * n * n) * double(state.iterations()),
                                                   benchmark::Counter::kIsRate);
  state.counters["evaluated %"] = 100.0 * double(evaluated) / double(n * n * n);
}
BENCHMARK(BM_DecodeShape)
    ->Args({64, 0})
    ->Args({64, 1})
    ->Args({128, 0})
    ->Args({128, 1})
    ->Args({256, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

} // namespace
