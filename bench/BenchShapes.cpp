// Shape preparation throughput: one synthetic heart prepared end to end (class mapping,
// frame, resampling, per-class exact EDT signed distances, surfaces, surface points, two query
// sets), and its stages alone, over grid sizes and query counts.
#include "shapes/ShapePreparation.h"
#include "shapes/SyntheticHeart.h"

#include <benchmark/benchmark.h>

namespace {

const lumen::LabelVolume& heart() {
  static const lumen::LabelVolume volume = lumen::makeSyntheticHeart(0);
  return volume;
}

// Args: grid per axis, queries per set (volume and near), surface points.
void BM_PrepareShape(benchmark::State& state) {
  lumen::ShapePrepareOptions o;
  o.grid = int(state.range(0));
  o.volumeQueries = o.nearQueries = int(state.range(1));
  o.points = int(state.range(2));
  for (auto _ : state)
    benchmark::DoNotOptimize(lumen::prepareShape(heart(), "bench", o).surfacePoints.data());
  state.counters["cases/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PrepareShape)
    ->Args({64, 100'000, 8192})
    ->Args({128, 100'000, 8192})
    ->Args({128, 10'000, 8192})
    ->Args({128, 100'000, 32768})
    ->Args({192, 100'000, 8192})
    ->Unit(benchmark::kMillisecond);

// Arg: grid per axis. The ten classes' signed distance fields alone.
void BM_ShapeDistanceFields(benchmark::State& state) {
  const auto classes = lumen::mapClasses(heart(), lumen::classMapByName("heart10"));
  const auto grid =
      lumen::resampleToFrame(classes, lumen::computeShapeFrame(heart()), int(state.range(0)));
  for (auto _ : state)
    benchmark::DoNotOptimize(lumen::computeDistanceFields(grid).sdf[0].data());
  state.counters["voxels/s"] = benchmark::Counter(
      double(state.iterations()) * double(grid.labels.size()) * 10, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ShapeDistanceFields)->Arg(64)->Arg(128)->Arg(192)->Unit(benchmark::kMillisecond);

} // namespace
