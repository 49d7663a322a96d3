#include "common/Job.h"

#include "common/Log.h"

#include <algorithm>
#include <cstdio>

namespace lumen {

const char* jobStateName(JobState state) {
  switch (state) {
  case JobState::Queued:
    return "queued";
  case JobState::Running:
    return "running";
  case JobState::Succeeded:
    return "done";
  case JobState::Failed:
    return "failed";
  case JobState::Cancelled:
    return "cancelled";
  }
  return "unknown";
}

const char* jobPriorityName(JobPriority priority) {
  switch (priority) {
  case JobPriority::Interactive:
    return "interactive";
  case JobPriority::Normal:
    return "normal";
  case JobPriority::Background:
    return "background";
  }
  return "normal";
}

std::string formatDuration(double seconds) {
  const long total = static_cast<long>(std::max(0.0, seconds) + 0.5);
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60,
                  total % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  return text;
}

Job::Job(std::string title, Body body, JobPriority priority)
    : title_(std::move(title)), body_(std::move(body)), priority_(priority),
      logContext_(newLogContext()) {}

void Job::setProgress(double fraction, const std::string& stage) {
  progress_.store(std::clamp(fraction, 0.0, 1.0), std::memory_order_relaxed);
  if (!stage.empty())
    setStage(stage);
}

void Job::setStage(const std::string& stage) {
  std::lock_guard lock(mutex_);
  stage_ = stage;
}

void Job::checkCancelled() const {
  if (cancelRequested())
    throw CancelledError();
}

void Job::requestCancel() {
  cancelRequested_.store(true, std::memory_order_relaxed);
  bool wasQueued = false;
  {
    std::lock_guard lock(mutex_);
    if (state_ == JobState::Queued) {
      wasQueued = true;
      started_ = Clock::now();
    }
  }
  // Nobody runs a queued job's body any more once it is cancelled: it ends now, so the Jobs dock
  // and the CLI do not show it waiting for a worker.
  if (wasQueued)
    finish(JobState::Cancelled, std::make_exception_ptr(CancelledError()), ErrorKind::Cancelled,
           CancelledError().what(), JobState::Queued);
}

JobState Job::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

bool Job::finished() const {
  const JobState s = state();
  return s == JobState::Succeeded || s == JobState::Failed || s == JobState::Cancelled;
}

std::string Job::stage() const {
  std::lock_guard lock(mutex_);
  return stage_;
}

std::string Job::errorMessage() const {
  std::lock_guard lock(mutex_);
  return errorMessage_;
}

std::optional<ErrorKind> Job::errorKind() const {
  std::lock_guard lock(mutex_);
  return errorKind_;
}

std::exception_ptr Job::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

double Job::elapsedSeconds() const {
  std::lock_guard lock(mutex_);
  if (state_ == JobState::Queued)
    return 0.0;
  const auto end = (state_ == JobState::Running) ? Clock::now() : ended_;
  return std::chrono::duration<double>(end - started_).count();
}

std::optional<double> Job::etaSeconds() const {
  if (state() != JobState::Running)
    return std::nullopt;
  const double fraction = progress();
  const double elapsed = elapsedSeconds();
  if (fraction < 0.01 || elapsed < 0.5)
    return std::nullopt;
  return elapsed * (1.0 - fraction) / fraction;
}

void Job::run() {
  {
    std::lock_guard lock(mutex_);
    if (state_ != JobState::Queued)
      return;
    state_ = JobState::Running;
    started_ = Clock::now();
  }
  const LogContextScope context(logContext_);
  try {
    checkCancelled();
    body_(*this);
    progress_.store(1.0);
    finish(JobState::Succeeded, nullptr, std::nullopt, {});
  } catch (const CancelledError& e) {
    finish(JobState::Cancelled, std::current_exception(), ErrorKind::Cancelled, e.what());
  } catch (const Error& e) {
    finish(JobState::Failed, std::current_exception(), e.kind(), e.what());
  } catch (const std::exception& e) {
    finish(JobState::Failed, std::current_exception(), ErrorKind::Runtime, e.what());
  } catch (...) {
    finish(JobState::Failed, std::current_exception(), ErrorKind::Runtime, "unknown error");
  }
}

void Job::finish(JobState state, std::exception_ptr error, std::optional<ErrorKind> kind,
                 std::string message, std::optional<JobState> onlyFrom) {
  {
    std::lock_guard lock(mutex_);
    if (onlyFrom && state_ != *onlyFrom)
      return; // a worker took the job in the meantime; it ends through run()
    state_ = state;
    error_ = std::move(error);
    errorKind_ = kind;
    errorMessage_ = std::move(message);
    ended_ = Clock::now();
  }
  if (state == JobState::Failed && !silent_)
    logError(title_, " failed: ", errorMessage());
  else if (state == JobState::Cancelled && !silent_)
    logWarning(title_, " cancelled");
  finishedCv_.notify_all();
}

bool Job::wait(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  auto done = [&] {
    return state_ == JobState::Succeeded || state_ == JobState::Failed ||
           state_ == JobState::Cancelled;
  };
  if (timeout == std::chrono::milliseconds::max()) {
    finishedCv_.wait(lock, done);
    return true;
  }
  return finishedCv_.wait_for(lock, timeout, done);
}

void Job::get() const {
  wait();
  if (auto e = error())
    std::rethrow_exception(e);
}

} // namespace lumen
