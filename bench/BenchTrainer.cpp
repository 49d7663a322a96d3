// Trainer and run-file throughput: optimisation steps per second of the built-in regression task
// (the trainer's own overhead on a tiny model), metrics.jsonl parsing, checkpoint writes.
#include "train/Checkpoint.h"
#include "train/Device.h"
#include "train/MetricsLog.h"
#include "train/RegressionTask.h"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <filesystem>

namespace {

void BM_RegressionTrainStep(benchmark::State& state) {
  lumen::configureTorchThreads(int(state.range(1)));
  lumen::RegressionConfig config;
  config.batch_size = int(state.range(0));
  config.samples = config.batch_size * 16;
  lumen::RegressionTask task(config);
  auto model = task.model();
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
  int64_t batch = 0;
  for (auto _ : state) {
    optimizer.zero_grad();
    auto out = task.trainStep(0, batch++ % task.batchesPerEpoch());
    out.loss.backward();
    optimizer.step();
  }
  state.SetItemsProcessed(state.iterations() * config.batch_size);
  state.counters["steps/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RegressionTrainStep)
    ->Args({64, 1})
    ->Args({256, 1})
    ->Args({256, 2})
    ->Unit(benchmark::kMicrosecond);

void BM_MetricsLineParse(benchmark::State& state) {
  lumen::MetricsRecord record;
  record.step = 123456;
  record.epoch = 12;
  record.wallTime = 1.7e9;
  for (int i = 0; i < 8; ++i)
    record.scalars["train/metric_" + std::to_string(i)] = 0.1 * i;
  const std::string line = lumen::metricsRecordToJson(record);
  for (auto _ : state)
    benchmark::DoNotOptimize(lumen::parseMetricsLine(line));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * int64_t(line.size()));
}
BENCHMARK(BM_MetricsLineParse);

void BM_CheckpointWrite(benchmark::State& state) {
  lumen::RegressionConfig config;
  config.hidden = int(state.range(0));
  lumen::RegressionTask task(config);
  auto model = task.model();
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
  const auto path = (std::filesystem::temp_directory_path() / "lumen-bench-last.pt").string();
  lumen::TrainingPosition position;
  for (auto _ : state)
    lumen::saveCheckpoint(path, *model, optimizer, nullptr, position, {});
  std::filesystem::remove(path);
  int64_t parameters = 0;
  for (const auto& p : model->parameters())
    parameters += p.numel();
  state.counters["params"] = double(parameters);
}
BENCHMARK(BM_CheckpointWrite)->Arg(64)->Arg(512)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
