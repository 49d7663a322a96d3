#include "train/RunDirectory.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "train/RunTap.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
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

std::string newRunDirName(const std::string& parent, const std::string& prefix) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  const fs::path base = fs::path(parent) / (prefix + "-" + stamp);
  std::error_code error;
  fs::path candidate = base;
  for (int k = 2; fs::exists(candidate, error); ++k)
    candidate = base.string() + "-" + std::to_string(k);
  return candidate.string();
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
  j["host"] = status.host;
  j["updated"] = status.updated;
  writeFileAtomically(statusPath(), j.dump(2) + "\n");
  tapRun({{"type", "status"}, {"run", name()}, {"status", j}});
}

std::optional<RunStatus> readRunStatus(const std::string& runDir) {
  std::ifstream in(runDir + "/status.json");
  if (!in)
    return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  RunStatus s;
  // A hand-edited or foreign status.json may hold any type under any key: a value of the wrong
  // type reads as its default, never as an exception in the UI thread that shows the runs.
  const auto text = [&](const char* key, std::string fallback) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
  };
  const auto number = [&](const char* key, double fallback) {
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
  };
  const auto whole = [&](const char* key) {
    const double v = number(key, 0.0);
    return std::isfinite(v) && std::abs(v) < 9e18 ? int64_t(v) : int64_t{0};
  };
  s.state = text("state", "unknown");
  s.task = text("task", "");
  s.step = whole("step");
  s.totalSteps = whole("total_steps");
  s.epoch = whole("epoch");
  s.bestMetric = text("best_metric", "");
  if (j.contains("best") && j["best"].is_number())
    s.best = j["best"].get<double>();
  s.message = text("message", "");
  s.pid = int(std::clamp<int64_t>(whole("pid"), 0, INT32_MAX));
  s.host = text("host", "");
  s.updated = number("updated", 0.0);
  if (s.state == "running") {
    if (const auto locked = runIsLocked(runDir)) {
      if (!*locked)
        s.state = "interrupted";
    } else if (s.pid > 0 && (s.host.empty() || s.host == hostName()) && ::kill(s.pid, 0) != 0 &&
               errno == ESRCH) {
      s.state = "interrupted";
    }
  }
  return s;
}

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0)
    return "unknown";
  return name;
}

namespace {

struct flock wholeFile(short type) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;
  return lock;
}

} // namespace

RunLock::RunLock(const std::string& runDir) {
  const std::string path = runDir + "/.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw IoError("cannot create the run lock " + path + ": " + std::strerror(errno));
  struct flock lock = wholeFile(F_WRLCK);
  if (::fcntl(fd_, F_OFD_SETLK, &lock) != 0) {
    const int error = errno;
    std::string owner;
    char text[256] = {};
    if (::pread(fd_, text, sizeof text - 1, 0) > 0)
      owner = std::string(text).substr(0, std::string(text).find('\n'));
    ::close(fd_);
    fd_ = -1;
    if (error == EAGAIN || error == EACCES)
      throw InputError("the run folder " + runDir + " is in use by another training" +
                       (owner.empty() ? std::string() : " (" + owner + ")") +
                       "; wait for it to end, cancel it, or choose another run folder");
    throw IoError("cannot lock the run folder " + runDir + ": " + std::strerror(error));
  }
  const std::string owner = "pid " + std::to_string(::getpid()) + " on " + hostName() + "\n";
  if (::ftruncate(fd_, 0) == 0)
    (void)!::pwrite(fd_, owner.data(), owner.size(), 0);
}

RunLock::~RunLock() {
  if (fd_ >= 0)
    ::close(fd_); // closing the description releases its lock
}

std::optional<bool> runIsLocked(const std::string& runDir) {
  const std::string path = runDir + "/.lock";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return std::nullopt;
  struct flock lock = wholeFile(F_WRLCK);
  const int rc = ::fcntl(fd, F_OFD_GETLK, &lock);
  ::close(fd);
  if (rc != 0)
    return std::nullopt;
  return lock.l_type != F_UNLCK;
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
  std::error_code error;
  return fs::exists(fs::path(path) / "metrics.jsonl", error) ||
         fs::exists(fs::path(path) / "status.json", error);
}

bool holdsRuns(const std::string& dir, size_t maxEntries) {
  std::error_code error;
  if (!fs::is_directory(dir, error))
    return false;
  if (isRunDirectory(dir))
    return true;
  size_t seen = 0;
  for (auto it = fs::directory_iterator(dir, error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    if (++seen > maxEntries)
      return false;
    if (!it->is_directory(error))
      continue;
    if (isRunDirectory(it->path().string()))
      return true;
    for (auto inner = fs::directory_iterator(it->path(), error);
         !error && inner != fs::directory_iterator(); inner.increment(error)) {
      if (++seen > maxEntries)
        return false;
      if (inner->is_directory(error) && isRunDirectory(inner->path().string()))
        return true;
    }
    error.clear();
  }
  return false;
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
