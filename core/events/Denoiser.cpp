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
#include "events/EventScoring.h"
#include "events/LocalDenoiser.h"
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
  UNet3d model{nullptr};        // model.kind unet3d
  LocalEventNet local{nullptr}; // model.kind local
  torch::Device device = torch::kCPU;
};

TrainedDenoiser::TrainedDenoiser(const std::string& checkpoint, const std::string& device)
    : state_(std::make_unique<State>()) {
  state_->config = loadConfig<EventTrainConfig>(runConfigOfCheckpoint(checkpoint));
  state_->device = resolveDevice(device);
  torch::nn::Module* module = nullptr;
  if (state_->config.model.kind == "local") {
    state_->local = makeLocalEventNet(state_->config);
    module = state_->local.ptr().get();
  } else {
    state_->model = makeDenoiseModel(state_->config.model);
    module = state_->model.ptr().get();
  }
  loadModelWeights(checkpoint, *module, state_->device);
  module->to(state_->device);
  module->eval();
}

bool TrainedDenoiser::decodes() const {
  return !state_->local;
}

std::vector<float> TrainedDenoiser::scoreEvents(const EventArray& events,
                                                const VoxelGrid& noisy) const {
  const VoxelOptions voxel = voxelOptionsOf(state_->config.data);
  if (state_->local)
    return scoreEventsLocally(state_->local, events, 0, events.size(), noisy, voxel,
                              state_->device);
  const auto denoised = denoise({noisy});
  return scoreEventsOnGrid(events, 0, events.size(), noisy, denoised[0], voxel);
}

TrainedDenoiser::~TrainedDenoiser() = default;

const EventTrainConfig& TrainedDenoiser::config() const {
  return state_->config;
}

std::vector<VoxelGrid> TrainedDenoiser::denoise(const std::vector<VoxelGrid>& grids) const {
  if (state_->local)
    throw InputError("a per-event denoiser (model.kind: local) scores events and makes no "
                     "denoised grid: use emit: keep, or a model.kind: unet3d run to decode");
  return denoiseGrids(state_->model, grids, state_->config, state_->device);
}

DenoiseEmit parseDenoiseEmit(const std::string& text) {
  if (text == "keep")
    return DenoiseEmit::Keep;
  if (text == "decode")
    return DenoiseEmit::Decode;
  throw InputError("unknown denoised output '" + text + "': expected keep or decode");
}

namespace {

// Network calls hold batch x bins x H x W floats several times over (the U-Net's feature maps):
// a batch stays under this many grid values however many windows were asked for.
constexpr size_t kMaxBatchValues = size_t(16) << 20;

struct PendingWindow {
  int64_t index = 0;
  EventArray events;
  VoxelGrid grid;
};

// Window by window: encode as counts -> network (a batch of windows per call) -> the kept input
// events or the decoded grid. `progress`, when given, receives the fraction of windows done,
// with `stage` before the window count; `allScores`, when given, every input event's score in
// file order (Keep only), for ROC curves.
DenoiseFileResult denoiseWindows(const TrainedDenoiser& denoiser, const std::string& in,
                                 const std::string& out, const DenoiseRunOptions& run,
                                 ProgressSpan* progress, const std::string& stage,
                                 std::vector<float>* allScores = nullptr) {
  const auto& data = denoiser.config().data;
  const VoxelOptions voxel = voxelOptionsOf(data);
  EventFileReader reader(in);
  DenoiseFileResult result;
  const bool keep = run.emit == DenoiseEmit::Keep;
  EventFileWriter writer(out, reader.sensor(), keep && reader.hasLabels());
  writer.setAttribute("source", in);
  writer.setAttribute("denoised_output", keep ? "keep" : "decode");
  // Kept events are the input's own; decoded ones are re-spread inside their bins, so
  // evaluation matches them within one bin.
  writer.setAttribute("match_tolerance_us",
                      keep ? "0" : std::to_string(data.window_us / data.bins));
  std::vector<float> keptScores;
  if (reader.size() > 0) {
    const int64_t t0 = reader.timeAt(0), tLast = reader.timeAt(reader.size() - 1);
    const auto span = checkedSubtract(tLast, t0);
    if (!span)
      throw InputError(in + ": /events/t spans more microseconds than 64 bits hold");
    const int64_t windows = *span / data.window_us + 1;
    const size_t perGrid =
        size_t(data.bins) * size_t(reader.sensor().height) * size_t(reader.sensor().width);
    const size_t batch = std::max<size_t>(
        1, std::min<size_t>(size_t(std::max(1, run.batchWindows)), kMaxBatchValues / perGrid));
    std::vector<PendingWindow> pending;
    if (!keep && !denoiser.decodes())
      denoiser.denoise({}); // refuses, naming the choice, before any window is read
    auto emit = [&] {
      std::vector<VoxelGrid> grids;
      for (auto& w : pending)
        grids.push_back(std::move(w.grid));
      // The U-Net denoises whole grids, a batch of windows per call; the per-event network
      // scores each window's events directly.
      const std::vector<VoxelGrid> denoised =
          denoiser.decodes() ? denoiser.denoise(grids) : std::vector<VoxelGrid>();
      for (size_t i = 0; i < pending.size(); ++i) {
        const EventArray& events = pending[i].events;
        EventArray output;
        if (keep) {
          const auto scores = denoised.empty() ? denoiser.scoreEvents(events, grids[i])
                                               : scoreEventsOnGrid(events, 0, events.size(),
                                                                   grids[i], denoised[i], voxel);
          output.sensor = events.sensor;
          if (allScores)
            allScores->insert(allScores->end(), scores.begin(), scores.end());
          for (size_t e = 0; e < events.size(); ++e)
            if (scores[e] >= run.threshold) {
              if (events.hasLabels())
                output.push(events.t[e], events.x[e], events.y[e], events.p[e], events.label[e]);
              else
                output.push(events.t[e], events.x[e], events.y[e], events.p[e]);
              keptScores.push_back(scores[e]);
            }
        } else {
          DecodeOptions options = run.decode;
          options.seed = run.decode.seed + uint64_t(pending[i].index);
          output = decodeVoxelGrid(denoised[i], options);
          // The last window reaches past the recording: nothing decoded may lie outside it.
          for (auto& t : output.t)
            t = std::clamp(t, t0, tLast);
        }
        writer.append(output);
        result.eventsIn += events.size();
        result.eventsOut += output.size();
        ++result.windows;
      }
      pending.clear();
    };
    for (int64_t k = 0; k < windows; ++k) {
      if (progress) {
        progress->job().checkCancelled();
        progress->set(double(k) / double(windows),
                      stage + "window " + std::to_string(k + 1) + "/" + std::to_string(windows));
      }
      const int64_t ws = t0 + k * data.window_us, we = ws + data.window_us;
      PendingWindow window;
      window.index = k;
      window.events = reader.readTimeRange(ws, we);
      window.grid = encodeVoxelGrid(window.events, 0, window.events.size(), ws, we, voxel);
      pending.push_back(std::move(window));
      if (pending.size() >= batch)
        emit();
    }
    emit();
  }
  if (keep)
    writer.addDataset("/events/score", keptScores);
  writer.commit();
  return result;
}

} // namespace

DenoiseFileResult denoiseEventFile(const TrainedDenoiser& denoiser, const std::string& in,
                                   const std::string& out, const DenoiseRunOptions& options,
                                   Job* job) {
  std::optional<ProgressSpan> progress;
  if (job)
    progress.emplace(*job, 0.0, 1.0);
  return denoiseWindows(denoiser, in, out, options, progress ? &*progress : nullptr, "");
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
    std::vector<float> networkScores;
    denoiseWindows(denoiser, pairs[i].noisy, denoisedPath, {}, progress ? &*progress : nullptr,
                   "testing " + pairs[i].name + ": ", &networkScores);
    if (networkScores.size() != noisy.size())
      throw InputError(pairs[i].noisy + ": the network scored " +
                       std::to_string(networkScores.size()) + " of its " +
                       std::to_string(noisy.size()) + " events");
    aucScores[0].insert(aucScores[0].end(), networkScores.begin(), networkScores.end());
    const EventArray denoised = EventFileReader(denoisedPath).readAll();
    nlohmann::json row{{"file", pairs[i].name}};
    auto score = [&](size_t method, const EventArray& output, int64_t tol) {
      const auto m = compareWithLabels(output, noisy, tol);
      accumulate(scores[method].metrics, m);
      scores[method].esr += eventStructureRatio(output) / double(pairs.size());
      row[scores[method].method] = {{"f1", m.f1}, {"precision", m.precision}, {"recall", m.recall}};
    };
    score(0, denoised, 0); // kept events are the input's own
    for (size_t method : {size_t(1), size_t(2)}) {
      FilterOptions options;
      options.method = method == 1 ? FilterMethod::Stcf : FilterMethod::Baf;
      options.dtUs = config.baseline_dt_us;
      options.k = config.stcf_k;
      const auto filtered = filterEvents(noisy, options);
      score(method, noisy.select(filtered.keep), 0);
      aucScores[method].insert(aucScores[method].end(), filtered.score.begin(),
                               filtered.score.end());
    }
    score(3, noisy, 0);
    allLabels.insert(allLabels.end(), noisy.label.begin(), noisy.label.end());
    perFile.push_back(row);
  }
  for (auto& s : scores)
    computeRates(s.metrics);
  scores[0].metrics.auc = rocAuc(aucScores[0], allLabels);
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
