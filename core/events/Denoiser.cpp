#include "events/Denoiser.h"

#include "common/AtomicFile.h"
#include "common/Checked.h"
#include "common/Config.h"
#include "common/Error.h"
#include "common/Files.h"
#include "common/Job.h"
#include "events/DenoiseModel.h"
#include "events/EventFile.h"
#include "events/EventFilters.h"
#include "events/VoxelPairs.h"
#include "train/Checkpoint.h"
#include "train/Device.h"
#include "train/RunDirectory.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

namespace fs = std::filesystem;

namespace lumen {

struct TrainedDenoiser::State {
  EventTrainConfig config;
  UNet3d model{nullptr};
  torch::Device device = torch::kCPU;
};

TrainedDenoiser::TrainedDenoiser(const std::string& checkpoint, const std::string& device)
    : state_(std::make_unique<State>()) {
  state_->config = loadConfig<EventTrainConfig>(runConfigOfCheckpoint(checkpoint));
  state_->device = resolveDevice(device);
  state_->model = makeDenoiseModel(state_->config.model);
  loadModelWeights(checkpoint, *state_->model, state_->device);
  state_->model->to(state_->device);
  state_->model->eval();
}

TrainedDenoiser::~TrainedDenoiser() = default;

const EventTrainConfig& TrainedDenoiser::config() const {
  return state_->config;
}

VoxelGrid TrainedDenoiser::denoise(const VoxelGrid& grid) const {
  return denoiseGrid(state_->model, grid, state_->config, state_->device);
}

namespace {

// Window by window: encode as counts -> network -> decode. `progress`, when given, receives the
// fraction of windows done, with `stage` before the window count.
DenoiseFileResult denoiseWindows(const TrainedDenoiser& denoiser, const std::string& in,
                                 const std::string& out, const DecodeOptions& decode,
                                 ProgressSpan* progress, const std::string& stage) {
  const auto& data = denoiser.config().data;
  const VoxelOptions voxel = voxelOptionsOf(data);
  EventFileReader reader(in);
  DenoiseFileResult result;
  EventFileWriter writer(out, reader.sensor());
  writer.setAttribute("source", in);
  // Decoded timestamps are re-spread inside their bins: evaluation matches within one bin.
  writer.setAttribute("match_tolerance_us", std::to_string(data.window_us / data.bins));
  if (reader.size() > 0) {
    const int64_t t0 = reader.timeAt(0);
    const auto span = checkedSubtract(reader.timeAt(reader.size() - 1), t0);
    if (!span)
      throw InputError(in + ": /events/t spans more microseconds than 64 bits hold");
    const int64_t windows = *span / data.window_us + 1;
    for (int64_t k = 0; k < windows; ++k) {
      if (progress) {
        progress->job().checkCancelled();
        progress->set(double(k) / double(windows),
                      stage + "window " + std::to_string(k + 1) + "/" + std::to_string(windows));
      }
      const int64_t ws = t0 + k * data.window_us, we = ws + data.window_us;
      const EventArray events = reader.readTimeRange(ws, we);
      const VoxelGrid grid = encodeVoxelGrid(events, 0, events.size(), ws, we, voxel);
      DecodeOptions options = decode;
      options.seed = decode.seed + uint64_t(k);
      const EventArray clean = decodeVoxelGrid(denoiser.denoise(grid), options);
      writer.append(clean);
      result.eventsIn += events.size();
      result.eventsOut += clean.size();
      ++result.windows;
    }
  }
  writer.commit();
  return result;
}

} // namespace

DenoiseFileResult denoiseEventFile(const TrainedDenoiser& denoiser, const std::string& in,
                                   const std::string& out, const DecodeOptions& decode, Job* job) {
  std::optional<ProgressSpan> progress;
  if (job)
    progress.emplace(*job, 0.0, 1.0);
  return denoiseWindows(denoiser, in, out, decode, progress ? &*progress : nullptr, "");
}

namespace {
void accumulate(DenoiseMetrics& total, const DenoiseMetrics& m) {
  total.denoised += m.denoised;
  total.signal += m.signal;
  total.noise += m.noise;
  total.truePositives += m.truePositives;
  total.falsePositives += m.falsePositives;
  total.falseNegatives += m.falseNegatives;
}

} // namespace

std::vector<MethodScore> compareDenoisers(const EventTestConfig& config, Job* job) {
  const auto pairs = findEventPairs(config.noisy_dir, config.clean_dir);
  TrainedDenoiser denoiser(config.checkpoint, config.device);
  const std::string resultsPath = (fs::path(config.output_dir) / "results.json").string();
  requireWritableParent(resultsPath, "output_dir");
  std::vector<MethodScore> scores = {
      {"network", {}, 0}, {"stcf", {}, 0}, {"baf", {}, 0}, {"noisy input", {}, 0}};
  std::vector<std::vector<float>> aucScores(3);
  std::vector<uint8_t> allLabels;
  const int64_t tolerance = denoiser.config().data.window_us / denoiser.config().data.bins;
  nlohmann::json perFile = nlohmann::json::array();
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (job) {
      job->checkCancelled();
      job->setProgress(double(i) / double(pairs.size()), "testing " + pairs[i].name);
    }
    const EventArray noisy = EventFileReader(pairs[i].noisy).readAll();
    if (!noisy.hasLabels())
      throw InputError(pairs[i].noisy + " has no /events/label: test needs labelled noisy files");
    const std::string stem = fs::path(pairs[i].name).stem().string();
    const std::string denoisedPath =
        (fs::path(config.output_dir) / (stem + "_network.h5")).string();
    std::optional<ProgressSpan> progress;
    if (job)
      progress.emplace(*job, double(i) / double(pairs.size()),
                       double(i + 1) / double(pairs.size()));
    denoiseWindows(denoiser, pairs[i].noisy, denoisedPath, {}, progress ? &*progress : nullptr,
                   "testing " + pairs[i].name + ": ");
    const EventArray denoised = EventFileReader(denoisedPath).readAll();
    nlohmann::json row{{"file", pairs[i].name}};
    auto score = [&](size_t method, const EventArray& output, int64_t tol) {
      const auto m = compareWithLabels(output, noisy, tol);
      accumulate(scores[method].metrics, m);
      scores[method].esr += eventStructureRatio(output) / double(pairs.size());
      row[scores[method].method] = {{"f1", m.f1}, {"precision", m.precision}, {"recall", m.recall}};
    };
    score(0, denoised, tolerance);
    for (size_t method : {size_t(1), size_t(2)}) {
      FilterOptions options;
      options.method = method == 1 ? FilterMethod::Stcf : FilterMethod::Baf;
      options.dtUs = config.baseline_dt_us;
      options.k = config.stcf_k;
      const auto filtered = filterEvents(noisy, options);
      EventArray kept;
      kept.sensor = noisy.sensor;
      for (size_t e = 0; e < noisy.size(); ++e)
        if (filtered.keep[e])
          kept.push(noisy.t[e], noisy.x[e], noisy.y[e], noisy.p[e], noisy.label[e]);
      score(method, kept, 0);
      aucScores[method].insert(aucScores[method].end(), filtered.score.begin(),
                               filtered.score.end());
    }
    score(3, noisy, 0);
    allLabels.insert(allLabels.end(), noisy.label.begin(), noisy.label.end());
    perFile.push_back(row);
  }
  for (auto& s : scores)
    computeRates(s.metrics);
  scores[1].metrics.auc = rocAuc(aucScores[1], allLabels);
  scores[2].metrics.auc = rocAuc(aucScores[2], allLabels);
  nlohmann::json summary = nlohmann::json::array();
  for (const auto& s : scores)
    summary.push_back({{"method", s.method},
                       {"precision", s.metrics.precision},
                       {"recall", s.metrics.recall},
                       {"f1", s.metrics.f1},
                       {"snr_db", s.metrics.snrDb},
                       {"esr", s.esr},
                       {"auc", s.metrics.auc ? nlohmann::json(*s.metrics.auc) : nlohmann::json()}});
  writeFileAtomically(resultsPath,
                      nlohmann::json{{"summary", summary}, {"files", perFile}}.dump(2) + "\n");
  return scores;
}

} // namespace lumen
