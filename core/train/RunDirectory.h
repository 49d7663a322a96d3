// The run directory every training or inference run writes:
//   config.yaml      the exact resolved configuration
//   metrics.jsonl    one JSON object per logged step
//   log.txt          the run's log
//   status.json      state (running/finished/failed/cancelled), step, best value, pid
//   checkpoints/     last.pt and best.pt, written atomically
//   results/         outputs
//   .lock            held (an open-file-description lock) while a trainer owns the folder
#pragma once
#include "train/MetricsLog.h"

#include <optional>
#include <string>
#include <vector>

namespace lumen {

struct RunStatus {
  std::string state = "running"; // running | finished | failed | cancelled | interrupted
  std::string task;
  int64_t step = 0;
  int64_t totalSteps = 0;
  int64_t epoch = 0;
  std::string bestMetric;
  std::optional<double> best;
  std::string message;
  int pid = 0;
  std::string host;     // where the run's process runs (its pid means nothing elsewhere)
  double updated = 0.0; // Unix time
};

class RunDirectory {
public:
  // Creates the folder and its subfolders if needed.
  explicit RunDirectory(std::string path);
  const std::string& path() const { return path_; }
  std::string name() const;
  std::string configPath() const { return path_ + "/config.yaml"; }
  std::string metricsPath() const { return path_ + "/metrics.jsonl"; }
  std::string logPath() const { return path_ + "/log.txt"; }
  std::string statusPath() const { return path_ + "/status.json"; }
  std::string checkpointsDir() const { return path_ + "/checkpoints"; }
  std::string lastCheckpoint() const { return checkpointsDir() + "/last.pt"; }
  std::string bestCheckpoint() const { return checkpointsDir() + "/best.pt"; }
  std::string resultsDir() const { return path_ + "/results"; }
  std::string lockPath() const { return path_ + "/.lock"; }

  void writeStatus(const RunStatus& status) const;

private:
  std::string path_;
};

// Exclusive ownership of a run folder while a trainer writes it: an open-file-description lock on
// <run>/.lock, which the kernel releases when the owner closes it or its process ends, however
// it ends (so a killed run never leaves a stale lock). A second trainer of the same folder, in
// this process or another, is refused with an InputError naming the owner.
class RunLock {
public:
  explicit RunLock(const std::string& runDir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

private:
  int fd_ = -1;
};

// Whether a trainer holds the run folder's lock now (tested without taking it); empty when the
// folder has no lock file (runs written by older versions).
std::optional<bool> runIsLocked(const std::string& runDir);

// This machine's host name, as status.json records it.
std::string hostName();

// Reads status.json; a "running" run that no trainer owns any more (its lock is free, or, for
// older runs, its process is gone) is reported as "interrupted".
std::optional<RunStatus> readRunStatus(const std::string& runDir);

// Removes metrics records after `step` (a resumed run repeats those steps).
void truncateMetricsAfter(const std::string& metricsPath, int64_t step);

struct RunSummary {
  std::string path;
  std::string name;
  std::optional<RunStatus> status;
  std::optional<MetricsRecord> lastRecord;
  size_t records = 0;
};

bool isRunDirectory(const std::string& path);
// Whether `dir` is a run or holds one within two levels, judged by file names alone (no file is
// parsed, at most `maxEntries` folder entries are looked at), so it is cheap enough to decide
// where File > Open sends a folder; never throws.
bool holdsRuns(const std::string& dir, size_t maxEntries = 4096);
// The runs in `dir` (or `dir` itself when it is a run), newest first; searches two levels deep.
std::vector<RunSummary> listRuns(const std::string& dir);

double unixTimeNow();

// A new run folder's path, <parent>/<prefix>-<yyyymmdd-hhmmss>, with -2, -3... appended when that
// name is taken (two runs started within one second never share a folder). Nothing is created.
std::string newRunDirName(const std::string& parent, const std::string& prefix);

// The config.yaml of the run a checkpoint belongs to (<run>/checkpoints/X.pt -> <run>/config.yaml):
// a trained model is rebuilt from it. Throws InputError when either file is missing.
std::string runConfigOfCheckpoint(const std::string& checkpoint);

} // namespace lumen
