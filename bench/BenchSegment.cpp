// Prompt -> mask: the classical backend on a contrast-filled vessel (a 12 mm tube drifting
// across the slices, in soft tissue with noise) clicked at five points spread along z, over
// image sizes. Counters give each stage's share, so a slow stage shows up by name.
#include "segment/ChestClasses.h"
#include "segment/ClickSimulator.h"
#include "segment/MaskSurface.h"
#include "segment/PromptSegmentation.h"
#include "segment/PropagatorNet.h"
#include "segment/SegmentationBackends.h"
#include "segment/SliceNetInput.h"
#include "segment/SyntheticChestCt.h"

#include <benchmark/benchmark.h>
#include <cmath>
#include <cstdlib>
#include <random>

namespace {

lumen::CtVolume vesselPhantom(int64_t n, int64_t depth) {
  lumen::CtVolume v;
  v.geometry.size = {n, n, depth};
  const double pixel = 360.0 / double(n); // a 36 cm field of view
  v.geometry.spacing = {pixel, pixel, 1.5};
  v.values.resize(v.geometry.voxels());
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0, 15);
  const double radius = 6 / pixel;
  for (int64_t z = 0; z < depth; ++z) {
    const double cx = 0.45 * double(n) + 0.05 * double(z), cy = 0.5 * double(n);
    for (int64_t y = 0; y < n; ++y)
      for (int64_t x = 0; x < n; ++x) {
        const double dx = double(x) - cx, dy = double(y) - cy;
        v.at(x, y, z) =
            int16_t(std::lround((dx * dx + dy * dy <= radius * radius ? 350 : 40) + noise(rng)));
      }
  }
  return v;
}

// Args: pixels per side, slices.
void BM_SegmentClassical(benchmark::State& state) {
  const int64_t n = state.range(0), depth = state.range(1);
  const auto image = vesselPhantom(n, depth);
  lumen::SegmentationRequest request;
  for (int k = 0; k < 5; ++k) {
    const int64_t z = 5 + k * (depth - 10) / 4;
    request.points.push_back(
        {{int64_t(0.45 * double(n) + 0.05 * double(z)), int64_t(0.5 * double(n)), z}, true});
  }
  const auto backend = lumen::makeSegmentationBackend("classical");
  lumen::SegmentationTimings sum;
  for (auto _ : state) {
    const auto r = lumen::segmentWithPrompts(image, request, *backend);
    if (!r.error.empty() || r.voxels() == 0)
      state.SkipWithError("the vessel was not found");
    sum.forwardMs += r.timings.forwardMs;
    sum.backwardMs += r.timings.backwardMs;
    sum.combineMs += r.timings.combineMs;
    sum.componentsMs += r.timings.componentsMs;
  }
  const double it = double(state.iterations());
  state.counters["forward_ms"] = sum.forwardMs / it;
  state.counters["backward_ms"] = sum.backwardMs / it;
  state.counters["combine_ms"] = sum.combineMs / it;
  state.counters["components_ms"] = sum.componentsMs / it;
  state.counters["voxels/s"] =
      benchmark::Counter(it * double(image.values.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SegmentClassical)
    ->Args({256, 100})
    ->Args({512, 100})
    ->Args({512, 300})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The user's case, built once for every benchmark that needs it: a synthetic chest CTA of
// 512 x 512 x 100 (0.7 x 0.7 x 2.5 mm) and its aorta.
struct ChestAorta {
  lumen::SyntheticChestCt ct;
  lumen::MaskVolume aorta;
};
const ChestAorta& chestAorta() {
  static const ChestAorta c = [] {
    lumen::SyntheticChestCtOptions o;
    o.size = {512, 512, 100};
    o.spacing = {0.7, 0.7, 2.5};
    ChestAorta out{lumen::makeSyntheticChestCt(5, o), {}};
    out.aorta.geometry = out.ct.cta.geometry;
    out.aorta.values.resize(out.ct.labels.values.size());
    for (size_t v = 0; v < out.aorta.values.size(); ++v)
      out.aorta.values[v] = out.ct.labels.values[v] == lumen::kChestAorta;
    return out;
  }();
  return c;
}

// The aorta clicked by the simulated user's first K clicks (its lowest, highest, middle slices).
void segmentChestAorta(benchmark::State& state, const lumen::SegmentationBackend& backend) {
  const auto& [ct, aorta] = chestAorta();
  lumen::SegmentationRequest request;
  request.points = lumen::initialClicks(aorta, int(state.range(0)));
  double dice = 0;
  lumen::SegmentationTimings sum;
  for (auto _ : state) {
    const auto r = lumen::segmentWithPrompts(ct.cta, request, backend);
    dice = lumen::diceScore(aorta, r.mask);
    sum.forwardMs += r.timings.forwardMs;
    sum.backwardMs += r.timings.backwardMs;
  }
  const double it = double(state.iterations());
  state.counters["dice"] = dice;
  state.counters["forward_ms"] = sum.forwardMs / it;
  state.counters["backward_ms"] = sum.backwardMs / it;
}

void BM_SegmentChestAorta(benchmark::State& state) {
  segmentChestAorta(state, *lumen::makeSegmentationBackend("classical"));
}
BENCHMARK(BM_SegmentChestAorta)->Arg(3)->Arg(5)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same with the learned propagator of the run LUMEN_BENCH_PROPAGATOR names (a `segment
// train` run folder or checkpoint): no weights ship with Lumen, so without it this is skipped.
void BM_SegmentChestAortaLearned(benchmark::State& state) {
  const char* run = std::getenv("LUMEN_BENCH_PROPAGATOR");
  if (!run || !*run) {
    state.SkipWithError("set LUMEN_BENCH_PROPAGATOR to a segment train run");
    return;
  }
  lumen::BackendSources sources;
  sources.model = run;
  segmentChestAorta(state, *lumen::makeSegmentationBackend("learned", sources));
}
BENCHMARK(BM_SegmentChestAortaLearned)
    ->Arg(3)
    ->Arg(5)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The Segment workspace's 3D view after those three clicks: the mask's smoothed surface in
// physical space (a background job; the UI thread only turns the triangles into poly data).
void BM_MaskSurfaceChestAorta(benchmark::State& state) {
  const auto& [ct, aorta] = chestAorta();
  lumen::SegmentationRequest request;
  request.points = lumen::initialClicks(aorta, 3);
  const auto mask =
      lumen::segmentWithPrompts(ct.cta, request, *lumen::makeSegmentationBackend("classical")).mask;
  size_t triangles = 0;
  for (auto _ : state)
    triangles = lumen::maskSurface(mask).triangleCount();
  state.counters["triangles"] = double(triangles);
}
BENCHMARK(BM_MaskSurfaceChestAorta)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

// One slice through the propagator's network, by size: (f_maps, levels, S). What the learned
// backend pays per slice and pass, whatever the weights.
void BM_PropagatorSlice(benchmark::State& state) {
  lumen::PropagatorModelConfig config;
  config.f_maps = int(state.range(0));
  config.levels = int(state.range(1));
  const int64_t size = state.range(2);
  auto net = lumen::makePropagatorNet(config);
  net->eval();
  c10::InferenceMode inference;
  const auto input = torch::randn({1, lumen::kSliceNetChannels, size, size});
  for (auto _ : state)
    benchmark::DoNotOptimize(net->forward(input));
  state.counters["slices_per_s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PropagatorSlice)
    ->Args({8, 4, 64})
    ->Args({8, 3, 64})
    ->Args({8, 4, 48})
    ->Args({6, 4, 64})
    ->Args({16, 3, 64})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
