// Levelled logging with pluggable sinks: the terminal, a run directory's log.txt, the GUI's Log
// dock. Thread-safe; sinks are called under one mutex so lines never interleave.
//
// Every line carries the log context of the thread that wrote it. A Job's body runs in a context
// of its own and the threads it spreads work to adopt it, so a sink bound to a context (a run's
// log.txt) receives the lines of its own run only, however many runs share the process.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace lumen {

enum class LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3 };

const char* logLevelName(LogLevel level);
// Parses "debug", "info", "warning"/"warn", "error"; throws InputError otherwise.
LogLevel parseLogLevel(const std::string& text);

// 0 is "no context": lines written outside any job.
using LogContextId = uint64_t;

// The calling thread's context.
LogContextId currentLogContext();
// A context id never handed out before.
LogContextId newLogContext();

// Sets the calling thread's context for the lifetime of the guard, then restores the previous.
class LogContextScope {
public:
  explicit LogContextScope(LogContextId id);
  ~LogContextScope();
  LogContextScope(const LogContextScope&) = delete;
  LogContextScope& operator=(const LogContextScope&) = delete;

private:
  LogContextId previous_;
};

struct LogRecord {
  LogLevel level;
  std::chrono::system_clock::time_point time;
  std::string message;
  LogContextId context = 0;
};

// "2026-11-21 10:31:02.123 [info] message"
std::string formatLogRecord(const LogRecord& record);

class LogSink {
public:
  virtual ~LogSink() = default;
  virtual void write(const LogRecord& record) = 0;
  LogLevel threshold = LogLevel::Info;
  // 0: every line; otherwise only the lines written in this context.
  LogContextId context = 0;
};

// Human-readable lines on stderr; colours the level when stderr is a terminal.
class TerminalLogSink : public LogSink {
public:
  TerminalLogSink();
  void write(const LogRecord& record) override;

private:
  bool colour_;
};

// Appends to a file (a run directory's log.txt), flushing each line so a crash loses nothing.
class FileLogSink : public LogSink {
public:
  explicit FileLogSink(const std::string& path);
  ~FileLogSink() override;
  void write(const LogRecord& record) override;

private:
  std::FILE* file_;
};

class CallbackLogSink : public LogSink {
public:
  explicit CallbackLogSink(std::function<void(const LogRecord&)> callback)
      : callback_(std::move(callback)) {}
  void write(const LogRecord& record) override { callback_(record); }

private:
  std::function<void(const LogRecord&)> callback_;
};

class Logger {
public:
  void addSink(std::shared_ptr<LogSink> sink);
  void removeSink(const std::shared_ptr<LogSink>& sink);
  void log(LogLevel level, const std::string& message);

private:
  std::mutex mutex_;
  std::vector<std::shared_ptr<LogSink>> sinks_;
};

// The process-wide logger. Starts with no sinks; executables add theirs at start-up.
Logger& logger();

namespace detail {
template <class... Args> std::string concat(Args&&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}
} // namespace detail

template <class... Args> void logDebug(Args&&... args) {
  logger().log(LogLevel::Debug, detail::concat(std::forward<Args>(args)...));
}
template <class... Args> void logInfo(Args&&... args) {
  logger().log(LogLevel::Info, detail::concat(std::forward<Args>(args)...));
}
template <class... Args> void logWarning(Args&&... args) {
  logger().log(LogLevel::Warning, detail::concat(std::forward<Args>(args)...));
}
template <class... Args> void logError(Args&&... args) {
  logger().log(LogLevel::Error, detail::concat(std::forward<Args>(args)...));
}

// Adds a sink for the lifetime of the guard. With Scope::CurrentContext the sink receives only the
// lines of the calling thread's context (a run's log.txt while that run trains); a thread with
// no context gets a fresh one for the guard's lifetime.
class ScopedLogSink {
public:
  enum class Scope { Everything, CurrentContext };
  explicit ScopedLogSink(std::shared_ptr<LogSink> sink, Scope scope = Scope::Everything);
  ~ScopedLogSink();
  ScopedLogSink(const ScopedLogSink&) = delete;
  ScopedLogSink& operator=(const ScopedLogSink&) = delete;

private:
  std::unique_ptr<LogContextScope> ownContext_;
  std::shared_ptr<LogSink> sink_;
};

} // namespace lumen
