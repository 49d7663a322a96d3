#include "common/Log.h"

#include "common/Error.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <unistd.h>

namespace lumen {
namespace {
thread_local LogContextId threadContext = 0;
} // namespace

LogContextId currentLogContext() {
  return threadContext;
}

LogContextId newLogContext() {
  static std::atomic<LogContextId> next{0};
  return ++next;
}

LogContextScope::LogContextScope(LogContextId id) : previous_(threadContext) {
  threadContext = id;
}

LogContextScope::~LogContextScope() {
  threadContext = previous_;
}

const char* logLevelName(LogLevel level) {
  switch (level) {
  case LogLevel::Debug:
    return "debug";
  case LogLevel::Info:
    return "info";
  case LogLevel::Warning:
    return "warning";
  case LogLevel::Error:
    return "error";
  }
  return "info";
}

LogLevel parseLogLevel(const std::string& text) {
  if (text == "debug")
    return LogLevel::Debug;
  if (text == "info")
    return LogLevel::Info;
  if (text == "warning" || text == "warn")
    return LogLevel::Warning;
  if (text == "error")
    return LogLevel::Error;
  throw InputError("unknown log level '" + text + "': expected debug, info, warning or error");
}

std::string formatLogRecord(const LogRecord& record) {
  const auto seconds = std::chrono::system_clock::to_time_t(record.time);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(record.time.time_since_epoch())
          .count() %
      1000;
  std::tm local{};
  localtime_r(&seconds, &local);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
  char full[96];
  std::snprintf(full, sizeof full, "%s.%03d [%s] ", stamp, static_cast<int>(millis),
                logLevelName(record.level));
  return full + record.message;
}

TerminalLogSink::TerminalLogSink() : colour_(isatty(STDERR_FILENO) != 0) {}

void TerminalLogSink::write(const LogRecord& record) {
  static const char* colours[] = {"\033[2m", "", "\033[33m", "\033[31m"};
  const bool paint = colour_ && record.level != LogLevel::Info;
  std::fprintf(stderr, "%s%s%s\n", paint ? colours[static_cast<int>(record.level)] : "",
               formatLogRecord(record).c_str(), paint ? "\033[0m" : "");
}

FileLogSink::FileLogSink(const std::string& path) : file_(std::fopen(path.c_str(), "a")) {
  if (!file_)
    throw IoError("cannot open log file " + path + ": " + std::strerror(errno));
  threshold = LogLevel::Debug;
}

FileLogSink::~FileLogSink() {
  std::fclose(file_);
}

void FileLogSink::write(const LogRecord& record) {
  std::fprintf(file_, "%s\n", formatLogRecord(record).c_str());
  std::fflush(file_);
}

void Logger::addSink(std::shared_ptr<LogSink> sink) {
  std::lock_guard lock(mutex_);
  sinks_.push_back(std::move(sink));
}

void Logger::removeSink(const std::shared_ptr<LogSink>& sink) {
  std::lock_guard lock(mutex_);
  sinks_.erase(std::remove(sinks_.begin(), sinks_.end(), sink), sinks_.end());
}

void Logger::log(LogLevel level, const std::string& message) {
  const LogRecord record{level, std::chrono::system_clock::now(), message, threadContext};
  std::lock_guard lock(mutex_);
  for (const auto& sink : sinks_)
    if (level >= sink->threshold && (sink->context == 0 || sink->context == record.context))
      sink->write(record);
}

Logger& logger() {
  static Logger instance;
  return instance;
}

ScopedLogSink::ScopedLogSink(std::shared_ptr<LogSink> sink, Scope scope) : sink_(std::move(sink)) {
  if (scope == Scope::CurrentContext) {
    if (threadContext == 0)
      ownContext_ = std::make_unique<LogContextScope>(newLogContext());
    sink_->context = threadContext;
  }
  logger().addSink(sink_);
}

ScopedLogSink::~ScopedLogSink() {
  logger().removeSink(sink_);
}

} // namespace lumen
