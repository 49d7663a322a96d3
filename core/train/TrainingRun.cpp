#include "train/TrainingRun.h"

#include "common/AtomicFile.h"
#include "common/Config.h"
#include "common/Error.h"
#include "common/Log.h"
#include "common/Text.h"
#include "train/Checkpoint.h"
#include "train/DataParallel.h"
#include "train/RunDirectory.h"
#include "train/Trainer.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lumen {

void TrainingRun::attach(Trainer& trainer) const {
  trainer.setRunLock(lock);
  trainer.setConfigHash(configHash, !configChanged);
}

bool runCanResume(const std::string& runDir) {
  std::error_code error;
  return fs::exists(fs::path(runDir) / "checkpoints" / "last.pt", error);
}

std::vector<std::string> configChangesOfRun(const std::string& runDir,
                                            const std::string& configYaml) {
  const std::string saved = (fs::path(runDir) / "config.yaml").string();
  std::error_code error;
  if (!fs::exists(saved, error))
    return {};
  YAML::Node before, after;
  try {
    before = YAML::LoadFile(saved);
  } catch (const YAML::Exception& e) {
    throw ConfigError(saved + ": the run's config.yaml cannot be read (" + e.msg +
                      "); it cannot be resumed");
  }
  after = YAML::Load(configYaml);
  return describeConfigChanges(before, after);
}

namespace {

// Marks the run as ended by `state` unless its trainer already wrote a final state (it does for
// every failure once training has started, with more detail).
void recordEnd(const RunDirectory& run, const std::string& state, const std::string& message) {
  try {
    RunStatus status = readRunStatus(run.path()).value_or(RunStatus{});
    if (status.state != "running")
      return;
    status.state = state;
    status.message = message;
    status.updated = unixTimeNow();
    run.writeStatus(status);
  } catch (const std::exception& e) {
    logWarning("could not record the end of run ", run.path(), ": ", e.what());
  }
}

} // namespace

JobPtr trainingRunJob(const std::string& title, const std::string& task, const std::string& runDir,
                      const std::string& configYaml,
                      std::function<void(const TrainingRun& run)> body,
                      const TrainingRunOptions& options) {
  return makeJob(
      title,
      [=](Job& job) {
        RunDirectory run(runDir);
        // Of several data-parallel processes, rank 0 alone locks and writes the run folder; the
        // others read its checkpoints.
        const auto parallel = dataParallelSettingsFromEnvironment();
        const bool writes = !parallel || parallel->rank == 0;
        // Refusals leave the run as it was: another trainer owns it, or its settings differ.
        std::optional<RunLock> lock;
        if (writes)
          lock.emplace(runDir);
        std::vector<std::string> changes, added;
        if (runCanResume(runDir)) {
          // Keys the run's config.yaml lacks are settings added to Lumen since the run started:
          // they resume at the value given now (the default unless set) without asking.
          for (auto& change : configChangesOfRun(runDir, configYaml))
            (change.find(": (absent) -> ") != std::string::npos ? added : changes)
                .push_back(std::move(change));
          if (!changes.empty() && !options.acceptConfigChange)
            throw InputError("the run " + runDir + " was started with other settings (" +
                             joinLimited(changes, 6, "; ") +
                             "); resume it with its own config.yaml, accept the change "
                             "explicitly, or choose a new run folder");
        }
        // Every line of this job goes to the run's log.txt (the trainer adds none of its own).
        const auto logFile =
            writes ? std::make_shared<FileLogSink>(run.logPath()) : std::shared_ptr<FileLogSink>();
        std::optional<ScopedLogSink> runLog;
        if (logFile)
          runLog.emplace(logFile, ScopedLogSink::Scope::CurrentContext);
        // The reason a run ended goes into its own log too (the job reports it everywhere else).
        auto logEnd = [&](LogLevel level, const std::string& text) {
          if (logFile)
            logFile->write(
                LogRecord{level, std::chrono::system_clock::now(), text, logFile->context});
        };
        for (const auto& change : changes)
          logWarning("resuming with a changed setting: ", change);
        for (const auto& change : added)
          logInfo("resuming with a setting this run did not have yet: ", change);
        // Before anything else happens, so even a run that fails at once is listed as one.
        RunStatus status = readRunStatus(runDir).value_or(RunStatus{});
        status.state = "running";
        status.task = task;
        status.message = "starting";
        status.pid = int(::getpid());
        status.host = hostName();
        status.updated = unixTimeNow();
        if (writes)
          run.writeStatus(status);
        try {
          if (writes)
            writeFileAtomically(run.configPath(), configYaml);
          body(TrainingRun{run, lock ? &*lock : nullptr, configHash(configYaml),
                           !changes.empty() || !added.empty(), job});
        } catch (const CancelledError&) {
          if (writes)
            recordEnd(run, "cancelled", "cancelled before training started");
          throw;
        } catch (const std::exception& e) {
          if (writes)
            recordEnd(run, "failed", e.what());
          logEnd(LogLevel::Error, std::string("training failed: ") + e.what());
          throw;
        }
      },
      JobPriority::Background);
}

} // namespace lumen
