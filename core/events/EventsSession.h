// The Events workspace's state and background work, without widgets (ITK-SNAP's Logic -> Model ->
// View): the recordings open in the three slots (noisy, denoised, clean) and those loading, the
// pairing of noisy and clean folders, the import of other formats, the time span of what is
// loaded, and the denoiser's training and inference runs. The view forwards what the user asks
// for and shows the state; tests and other front ends drive the session directly.
//
// Jobs go through the `submit` the owner gives (the GUI's pool and Jobs dock, a test's JobPool).
// Their results are applied by poll(), on the owner's thread, which then tells the listener what
// changed. A newer request for a slot wins over an older one still loading.
#pragma once
#include "common/Job.h"
#include "common/JobFollowUps.h"
#include "events/EventArray.h"
#include "events/KeptEvents.h"

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lumen {

enum class StreamSlot { Noisy = 0, Denoised = 1, Clean = 2 };
constexpr int kStreamSlots = 3;
const char* streamSlotName(StreamSlot slot);

// One recording in memory: shared, so views and workers read it without copies.
struct EventStream {
  std::string path;
  EventStats stats;
  std::shared_ptr<const EventArray> events;
};

// Reads and validates a whole event file, refusing files above maxEvents (the memory guard of
// EventFileReader::readAll). Runs on a worker; throws lumen::Error naming the file.
EventStream loadEventStream(const std::string& path, uint64_t maxEvents = 100'000'000);

class EventsSession {
public:
  // Hands a job to the pool. `listed`: the user sees it among the jobs (imports, training,
  // inference); loads show in their slot instead.
  using Submit = std::function<JobPtr(JobPtr job, bool listed)>;

  struct Change {
    enum Kind {
      Loading,    // slot, path: a load started
      Loaded,     // slot, path
      LoadFailed, // slot, path, message
      RunStarted, // path: a training run's folder (for the monitor)
      JobEnded,   // message: a training, import or inference ended (its outcome)
      Compared,   // keptEvents() changed: both streams it compares loaded, or one left
    } kind;
    StreamSlot slot = StreamSlot::Noisy;
    std::string path, message;
  };
  using Listener = std::function<void(const Change&)>;

  explicit EventsSession(Submit submit);
  void setListener(Listener listener) { listener_ = std::move(listener); }

  // An event file (.h5) opens into the slot its folder or name suggests, bringing its paired
  // partner and an existing denoised output; another recording format is imported to
  // <folder>/<stem>.h5 first. Throws InputError when the path is no file or no recording.
  void open(const std::string& path);
  // Loads an event file into one slot (a job), replacing what the slot shows once it is loaded.
  void openInSlot(StreamSlot slot, const std::string& path);
  const EventStream* stream(StreamSlot slot) const;
  bool isLoading(StreamSlot slot) const;
  // [first, last + 1) microseconds over every loaded stream; empty when none has events.
  std::optional<std::pair<int64_t, int64_t>> timeSpan() const;

  // Training on paired folders (default: those of the open noisy and clean streams); the run goes
  // to <runsFolder>/events-<time> (default <dataset>/runs). Throws InputError on a bad config or
  // while this session's previous training still runs.
  JobPtr startTraining();
  JobPtr startTraining(const std::string& noisyDir, const std::string& cleanDir,
                       const std::vector<std::string>& overrides = {},
                       const std::string& runsFolder = {});
  bool canTrain() const;
  bool isTraining() const;
  const std::string& lastRunDir() const { return lastRunDir_; }

  // Denoises the noisy stream with a checkpoint; the output opens in the denoised slot.
  JobPtr startInference(const std::string& checkpoint);
  bool canDenoise() const;
  bool isDenoising() const;
  // Where to look for a checkpoint first: the last run's best.pt, else the dataset's runs.
  std::string suggestedCheckpoint() const;
  // Where inference writes the denoised version of a noisy recording (outside the training
  // folders, where it would count as an unpaired recording).
  static std::string denoisedPathFor(const std::string& noisyPath);

  // What BAF, STCF and the denoised stream keep of the noisy one (KeptEvents.h), computed by a
  // job whenever both are loaded: the measure on real recordings, which have no labels.
  const std::optional<KeptEventsTable>& keptEvents() const { return keptEvents_; }
  bool isComparing() const { return comparing_; }

  // Applies the jobs that have ended (call on the owner's thread); true while any is pending.
  bool poll();
  JobFollowUps& followUps() { return followUps_; }

private:
  void notify(const Change& change);
  void refreshKeptEvents();

  Submit submit_;
  Listener listener_;
  JobFollowUps followUps_;
  std::array<std::optional<EventStream>, kStreamSlots> streams_;
  std::array<uint64_t, kStreamSlots> loadGeneration_{};
  std::array<bool, kStreamSlots> loading_{};
  JobPtr training_, inference_;
  std::string lastRunDir_;
  std::optional<KeptEventsTable> keptEvents_;
  uint64_t compareGeneration_ = 0;
  bool comparing_ = false;
};

} // namespace lumen
