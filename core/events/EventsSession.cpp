#include "events/EventsSession.h"

#include "common/Config.h"
#include "common/Error.h"
#include "common/Files.h"
#include "common/Resources.h"
#include "events/DenoiseJobs.h"
#include "events/EventFile.h"
#include "events/EventImport.h"
#include "events/SyntheticEvents.h"
#include "train/RunDirectory.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace fs = std::filesystem;

namespace lumen {
namespace {

bool hasSuffix(std::string path, std::initializer_list<const char*> suffixes) {
  std::transform(path.begin(), path.end(), path.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  for (const char* suffix : suffixes) {
    const std::string s = suffix;
    if (path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0)
      return true;
  }
  return false;
}

// The same recording in the other folder of a synthetic-style pair, or empty.
std::string partnerOf(const fs::path& file, const char* fromFolder, const char* toFolder) {
  if (file.parent_path().filename() != fromFolder)
    return {};
  const fs::path partner = file.parent_path().parent_path() / toFolder / file.filename();
  std::error_code error;
  return fs::exists(partner, error) ? partner.lexically_normal().string() : std::string();
}

} // namespace

const char* streamSlotName(StreamSlot slot) {
  static const char* names[] = {"noisy", "denoised", "clean"};
  return names[int(slot)];
}

EventStream loadEventStream(const std::string& path, uint64_t maxEvents) {
  requireFile(path, "an event file (.h5)");
  EventStream stream;
  stream.path = path;
  const EventFileReader reader(path);
  auto events = std::make_shared<EventArray>(reader.readAll(maxEvents));
  stream.stats = computeStats(*events);
  // An empty recording still has a sensor; the views then show an empty frame.
  stream.stats.sensor = reader.sensor();
  events->sensor = reader.sensor();
  stream.events = std::move(events);
  return stream;
}

EventsSession::EventsSession(Submit submit) : submit_(std::move(submit)) {}

void EventsSession::notify(const Change& change) {
  if (listener_)
    listener_(change);
}

const EventStream* EventsSession::stream(StreamSlot slot) const {
  const auto& s = streams_[size_t(slot)];
  return s ? &*s : nullptr;
}

bool EventsSession::isLoading(StreamSlot slot) const {
  return loading_[size_t(slot)];
}

void EventsSession::open(const std::string& path) {
  requireFile(path, "an event recording");
  const fs::path file = fs::absolute(path).lexically_normal();
  if (hasSuffix(path, {".h5", ".hdf5"})) {
    if (file.parent_path().filename() == kCleanFolder) {
      openInSlot(StreamSlot::Clean, file.string());
      if (const auto noisy = partnerOf(file, kCleanFolder, kNoisyFolder); !noisy.empty())
        openInSlot(StreamSlot::Noisy, noisy);
    } else if (file.stem().string().size() > 9 &&
               file.stem().string().substr(file.stem().string().size() - 9) == "_denoised") {
      openInSlot(StreamSlot::Denoised, file.string());
    } else {
      openInSlot(StreamSlot::Noisy, file.string());
      if (const auto clean = partnerOf(file, kNoisyFolder, kCleanFolder); !clean.empty())
        openInSlot(StreamSlot::Clean, clean);
      const std::string denoised = denoisedPathFor(file.string());
      std::error_code error;
      if (fs::exists(denoised, error))
        openInSlot(StreamSlot::Denoised, denoised);
    }
    return;
  }
  const EventFormat format = detectEventFormat(path);
  if (format == EventFormat::Unknown || format == EventFormat::Hdf5)
    throw InputError(path + " is not a recording Lumen can import (expected an event file .h5, "
                            "AEDAT4, EVT 2.0/3.0 RAW or text)");
  const std::string out = (file.parent_path() / (file.stem().string() + ".h5")).string();
  auto job = submit_(
      makeJob("Import " + file.filename().string(),
              [in = file.string(), out](Job& j) { importEvents(in, out, ImportOptions{}, &j); }),
      true);
  followUps_.whenFinished(job, [this, out](const Job& j) {
    if (j.state() == JobState::Succeeded)
      open(out);
    else
      notify({Change::JobEnded, StreamSlot::Noisy, out, j.errorMessage()});
  });
}

void EventsSession::openInSlot(StreamSlot slot, const std::string& path) {
  const size_t index = size_t(slot);
  const uint64_t generation = ++loadGeneration_[index];
  loading_[index] = true;
  auto loaded = std::make_shared<EventStream>();
  auto job = submit_(makeJob(
                         "Load " + fs::path(path).filename().string(),
                         [path, loaded](Job&) { *loaded = loadEventStream(path); },
                         JobPriority::Interactive),
                     false);
  notify({Change::Loading, slot, path, {}});
  followUps_.whenFinished(job, [this, slot, index, generation, path, loaded](const Job& j) {
    if (generation != loadGeneration_[index])
      return; // a newer request for this slot wins
    loading_[index] = false;
    if (j.state() != JobState::Succeeded) {
      notify({Change::LoadFailed, slot, path,
              j.state() == JobState::Cancelled ? "cancelled" : j.errorMessage()});
      return;
    }
    streams_[index] = std::move(*loaded);
    notify({Change::Loaded, slot, path, {}});
    if (slot != StreamSlot::Clean)
      refreshKeptEvents();
  });
}

void EventsSession::refreshKeptEvents() {
  const uint64_t generation = ++compareGeneration_;
  const EventStream* noisy = stream(StreamSlot::Noisy);
  const EventStream* denoised = stream(StreamSlot::Denoised);
  if (keptEvents_) {
    keptEvents_.reset();
    notify({Change::Compared, StreamSlot::Denoised, {}, {}});
  }
  comparing_ = noisy && denoised;
  if (!comparing_)
    return;
  auto table = std::make_shared<KeptEventsTable>();
  auto job = submit_(
      makeJob(
          "Compare kept events · " + fs::path(denoised->path).filename().string(),
          [table, name = fs::path(noisy->path).filename().string(), input = noisy->events,
           output = denoised->events, outputPath = denoised->path](Job& j) {
            j.setProgress(0.0, "BAF, STCF and ESR");
            *table = compareKeptEvents(name, *input, {{denoisedMethodName(outputPath), *output}});
          }),
      true);
  followUps_.whenFinished(job, [this, generation, table](const Job& j) {
    if (generation != compareGeneration_)
      return; // a stream changed since: a newer comparison runs
    comparing_ = false;
    if (j.state() == JobState::Succeeded)
      keptEvents_ = std::move(*table);
    notify({Change::Compared,
            StreamSlot::Denoised,
            {},
            j.state() == JobState::Succeeded ? std::string() : j.errorMessage()});
  });
}

std::optional<std::pair<int64_t, int64_t>> EventsSession::timeSpan() const {
  std::optional<std::pair<int64_t, int64_t>> span;
  for (const auto& s : streams_) {
    if (!s || s->events->empty())
      continue;
    const int64_t first = s->stats.tFirst, end = s->stats.tLast + 1;
    span = span ? std::make_pair(std::min(span->first, first), std::max(span->second, end))
                : std::make_pair(first, end);
  }
  return span;
}

bool EventsSession::canTrain() const {
  return stream(StreamSlot::Noisy) && stream(StreamSlot::Clean) && !isTraining();
}

bool EventsSession::isTraining() const {
  return training_ && !training_->finished();
}

bool EventsSession::canDenoise() const {
  return stream(StreamSlot::Noisy) && !isDenoising();
}

bool EventsSession::isDenoising() const {
  return inference_ && !inference_->finished();
}

JobPtr EventsSession::startTraining() {
  const EventStream* noisy = stream(StreamSlot::Noisy);
  const EventStream* clean = stream(StreamSlot::Clean);
  if (!noisy || !clean)
    throw InputError("training needs a noisy and a clean recording open");
  return startTraining(fs::path(noisy->path).parent_path().string(),
                       fs::path(clean->path).parent_path().string());
}

JobPtr EventsSession::startTraining(const std::string& noisyDir, const std::string& cleanDir,
                                    const std::vector<std::string>& overrides,
                                    const std::string& runsFolder) {
  if (isTraining())
    throw InputError("a denoiser training of this workspace is still running (" + lastRunDir_ +
                     "); cancel it in the Jobs panel or wait for it to end");
  auto config = loadConfig<EventTrainConfig>(findResource("configs/events/train.yaml"), overrides);
  // Set on the struct, not as --set overrides: paths need no YAML quoting this way.
  config.data.noisy_dir = noisyDir;
  config.data.clean_dir = cleanDir;
  const std::string runs =
      runsFolder.empty() ? (fs::path(noisyDir).parent_path() / "runs").string() : runsFolder;
  const std::string runDir = newRunDirName(runs, "events");
  training_ = submit_(eventTrainingJob(config, runDir), true);
  lastRunDir_ = runDir;
  notify({Change::RunStarted, StreamSlot::Noisy, runDir, {}});
  followUps_.whenFinished(training_, [this, runDir](const Job& j) {
    notify({Change::JobEnded, StreamSlot::Noisy, runDir,
            j.state() == JobState::Succeeded ? "trained the event denoiser in " + runDir
                                             : j.title() + ": " + j.errorMessage()});
  });
  return training_;
}

JobPtr EventsSession::startInference(const std::string& checkpoint) {
  const EventStream* noisy = stream(StreamSlot::Noisy);
  if (!noisy)
    throw InputError("open a noisy recording to denoise first");
  if (isDenoising())
    throw InputError("a denoising of this workspace is still running");
  requireFile(checkpoint, "a denoiser checkpoint (.pt)");
  const std::string output = denoisedPathFor(noisy->path);
  fs::create_directories(fs::path(output).parent_path());
  auto config = loadConfig<EventInferConfig>(findResource("configs/events/infer.yaml"));
  config.checkpoint = checkpoint;
  config.input = noisy->path;
  config.output = output;
  inference_ = submit_(eventInferenceJob(config), true);
  followUps_.whenFinished(inference_, [this, output](const Job& j) {
    if (j.state() == JobState::Succeeded)
      openInSlot(StreamSlot::Denoised, output);
    notify({Change::JobEnded, StreamSlot::Denoised, output,
            j.state() == JobState::Succeeded ? "denoised into " + output
                                             : j.title() + ": " + j.errorMessage()});
  });
  return inference_;
}

std::string EventsSession::suggestedCheckpoint() const {
  if (!lastRunDir_.empty())
    return lastRunDir_ + "/checkpoints/best.pt";
  if (const EventStream* noisy = stream(StreamSlot::Noisy))
    return (fs::path(noisy->path).parent_path().parent_path() / "runs").string();
  return {};
}

std::string EventsSession::denoisedPathFor(const std::string& noisyPath) {
  const fs::path file(noisyPath);
  const std::string name = file.stem().string() + "_denoised.h5";
  if (file.parent_path().filename() == kNoisyFolder)
    return (file.parent_path().parent_path() / "denoised" / name).lexically_normal().string();
  return (file.parent_path() / name).string();
}

bool EventsSession::poll() {
  followUps_.run();
  return followUps_.pending();
}

} // namespace lumen
