#include "train/RunDirectory.h"

#include "common/AtomicFile.h"
#include "common/Error.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lumen {

double unixTimeNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

RunDirectory::RunDirectory(std::string path) : path_(std::move(path)) {
  std::error_code error;
  fs::create_directories(checkpointsDir(), error);
  if (!error)
    fs::create_directories(resultsDir(), error);
  if (error)
    throw IoError("cannot create run directory " + path_ + ": " + error.message());
}

std::string RunDirectory::name() const {
  return fs::path(path_).filename().string();
}

void RunDirectory::writeStatus(const RunStatus& status) const {
  nlohmann::json j;
  j["state"] = status.state;
  j["task"] = status.task;
  j["step"] = status.step;
  j["total_steps"] = status.totalSteps;
  j["epoch"] = status.epoch;
  j["best_metric"] = status.bestMetric;
  j["best"] = status.best ? nlohmann::json(*status.best) : nlohmann::json();
  j["message"] = status.message;
  j["pid"] = status.pid;
  j["updated"] = status.updated;
  writeFileAtomically(statusPath(), j.dump(2) + "\n");
}

std::optional<RunStatus> readRunStatus(const std::string& runDir) {
  std::ifstream in(runDir + "/status.json");
  if (!in)
    return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  RunStatus s;
  s.state = j.value("state", "unknown");
  s.task = j.value("task", "");
  s.step = j.value("step", int64_t{0});
  s.totalSteps = j.value("total_steps", int64_t{0});
  s.epoch = j.value("epoch", int64_t{0});
  s.bestMetric = j.value("best_metric", "");
  if (j.contains("best") && j["best"].is_number())
    s.best = j["best"].get<double>();
  s.message = j.value("message", "");
  s.pid = j.value("pid", 0);
  s.updated = j.value("updated", 0.0);
  if (s.state == "running" && s.pid > 0 && ::kill(s.pid, 0) != 0 && errno == ESRCH)
    s.state = "interrupted";
  return s;
}

void truncateMetricsAfter(const std::string& metricsPath, int64_t step) {
  std::ifstream in(metricsPath);
  if (!in)
    return;
  std::ostringstream kept;
  bool dropped = false;
  for (std::string line; std::getline(in, line);) {
    const auto record = parseMetricsLine(line);
    if (record && record->step > step) {
      dropped = true;
      continue;
    }
    if (record)
      kept << line << '\n';
    else
      dropped = true; // a torn last line from a crash
  }
  in.close();
  if (dropped)
    writeFileAtomically(metricsPath, kept.str());
}

bool isRunDirectory(const std::string& path) {
  return fs::exists(fs::path(path) / "metrics.jsonl") || fs::exists(fs::path(path) / "status.json");
}

namespace {
RunSummary summarise(const fs::path& dir) {
  RunSummary summary;
  summary.path = dir.string();
  summary.name = dir.filename().string();
  summary.status = readRunStatus(summary.path);
  const std::string metrics = (dir / "metrics.jsonl").string();
  if (fs::exists(metrics)) {
    const auto records = readMetricsFile(metrics);
    summary.records = records.size();
    if (!records.empty())
      summary.lastRecord = records.back();
  }
  return summary;
}

// Unix seconds, like status.json's "updated", so runs with and without a status sort together.
double modifiedTime(const RunSummary& run) {
  if (run.status)
    return run.status->updated;
  struct stat info {};
  return ::stat(run.path.c_str(), &info) == 0 ? double(info.st_mtime) : 0.0;
}
} // namespace

std::vector<RunSummary> listRuns(const std::string& dir) {
  if (!fs::is_directory(dir))
    throw IoError("runs folder " + dir + " does not exist or is not a folder");
  std::vector<RunSummary> runs;
  if (isRunDirectory(dir)) {
    runs.push_back(summarise(dir));
    return runs;
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_directory())
      continue;
    if (isRunDirectory(entry.path().string())) {
      runs.push_back(summarise(entry.path()));
      continue;
    }
    for (const auto& inner : fs::directory_iterator(entry.path()))
      if (inner.is_directory() && isRunDirectory(inner.path().string()))
        runs.push_back(summarise(inner.path()));
  }
  std::sort(runs.begin(), runs.end(), [](const RunSummary& a, const RunSummary& b) {
    return modifiedTime(a) > modifiedTime(b);
  });
  return runs;
}

std::string runConfigOfCheckpoint(const std::string& checkpoint) {
  if (!fs::exists(checkpoint))
    throw InputError("checkpoint " + checkpoint + " does not exist");
  const fs::path runConfig = fs::path(checkpoint).parent_path().parent_path() / "config.yaml";
  if (!fs::exists(runConfig))
    throw InputError(runConfig.string() + " is missing: a checkpoint is read with the config.yaml "
                                          "of its run directory");
  return runConfig.string();
}

} // namespace lumen
