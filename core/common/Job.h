// A unit of long-running work (prepare, train, infer, import...). The body runs on a worker
// thread and reports progress (fraction + stage text); observers (the GUI's Jobs dock, the CLI's
// progress bar) poll the job from their own thread. Cancellation is cooperative: the body calls
// checkCancelled() at least every 250 ms of work and unwinds with CancelledError; a job cancelled
// before it started ends at once. The body runs in a log context of its own (see Log.h), so the
// lines it writes can be told from other jobs'. Whatever the body throws is caught and recorded:
// nothing escapes the worker thread.
#pragma once
#include "common/Error.h"
#include "common/Log.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace lumen {

enum class JobState { Queued, Running, Succeeded, Failed, Cancelled };

const char* jobStateName(JobState state);

// What a job is to the person waiting for it, which decides the order in which a JobPool runs
// queued jobs. Interactive: a click waits for it (loading a case, probing a file, a completion);
// Normal: a task the user started and watches (import, preparation, inference); Background:
// long trainings.
enum class JobPriority { Interactive = 0, Normal = 1, Background = 2 };

const char* jobPriorityName(JobPriority priority);

class Job {
public:
  using Body = std::function<void(Job&)>;

  Job(std::string title, Body body, JobPriority priority = JobPriority::Normal);

  const std::string& title() const { return title_; }
  JobPriority priority() const { return priority_; }
  // The log context the body runs in.
  LogContextId logContext() const { return logContext_; }
  // A job whose outcome someone else reports (a helper of parallelFor) logs nothing when it ends.
  void setSilent() { silent_ = true; }

  // ---- called by the body, on the worker thread ----
  // fraction in [0, 1]; the stage text is kept when empty.
  void setProgress(double fraction, const std::string& stage = {});
  void setStage(const std::string& stage);
  bool cancelRequested() const { return cancelRequested_.load(std::memory_order_relaxed); }
  // Throws CancelledError when a cancel was requested.
  void checkCancelled() const;

  // ---- called by anyone ----
  // A running job stops at its next checkCancelled(); a queued one ends as cancelled at once.
  void requestCancel();
  JobState state() const;
  bool finished() const;
  double progress() const { return progress_.load(std::memory_order_relaxed); }
  std::string stage() const;
  // The error's message when the job failed, empty otherwise.
  std::string errorMessage() const;
  std::optional<ErrorKind> errorKind() const;
  std::exception_ptr error() const;
  double elapsedSeconds() const;
  // Remaining time extrapolated from progress so far; empty until there is enough to go on.
  std::optional<double> etaSeconds() const;

  // Runs the body on the calling thread and records the outcome; never throws.
  void run();
  // Blocks until the job finished or the timeout passed; true when finished.
  bool wait(std::chrono::milliseconds timeout = std::chrono::milliseconds::max()) const;
  // Waits, then rethrows the body's exception if it failed or was cancelled.
  void get() const;

private:
  using Clock = std::chrono::steady_clock;
  // `onlyFrom`: change the state only when it still is this one.
  void finish(JobState state, std::exception_ptr error, std::optional<ErrorKind> kind,
              std::string message, std::optional<JobState> onlyFrom = std::nullopt);

  const std::string title_;
  Body body_;
  const JobPriority priority_;
  const LogContextId logContext_;
  std::atomic<double> progress_{0.0};
  std::atomic<bool> cancelRequested_{false};
  std::atomic<bool> silent_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable finishedCv_;
  JobState state_ = JobState::Queued;
  std::string stage_;
  std::string errorMessage_;
  std::optional<ErrorKind> errorKind_;
  std::exception_ptr error_;
  Clock::time_point started_{};
  Clock::time_point ended_{};
};

using JobPtr = std::shared_ptr<Job>;

inline JobPtr makeJob(std::string title, Job::Body body,
                      JobPriority priority = JobPriority::Normal) {
  return std::make_shared<Job>(std::move(title), std::move(body), priority);
}

// "0:07", "1:23", "1:02:03": elapsed times and ETAs as the Jobs dock and the CLI show them.
std::string formatDuration(double seconds);

// Maps the progress of one step of a larger job into its share [begin, end] of the whole.
class ProgressSpan {
public:
  ProgressSpan(Job& job, double begin, double end) : job_(job), begin_(begin), end_(end) {}
  void set(double fraction, const std::string& stage = {}) {
    job_.setProgress(begin_ + (end_ - begin_) * fraction, stage);
  }
  Job& job() { return job_; }

private:
  Job& job_;
  double begin_, end_;
};

} // namespace lumen
