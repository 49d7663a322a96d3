// The one place background work runs: a fixed set of worker threads that take queued jobs by
// priority (Interactive, then Normal, then Background; first come, first served within one). One
// worker is kept for Interactive jobs: Normal and Background jobs together never occupy more than
// `threads` workers, so a click never waits behind trainings however many are running.
// Destroying the pool cancels what is still running or queued and joins the workers.
#pragma once
#include "common/Job.h"

#include <array>
#include <deque>
#include <thread>
#include <vector>

namespace lumen {

class JobPool {
public:
  // `threads` workers for Normal and Background jobs, plus one that only Interactive jobs use.
  explicit JobPool(int threads = 1);
  ~JobPool();
  JobPool(const JobPool&) = delete;
  JobPool& operator=(const JobPool&) = delete;

  JobPtr submit(JobPtr job);
  JobPtr submit(std::string title, Job::Body body, JobPriority priority = JobPriority::Normal) {
    return submit(makeJob(std::move(title), std::move(body), priority));
  }
  // Every job submitted so far that has not finished.
  std::vector<JobPtr> activeJobs() const;
  void cancelAll();
  int workers() const { return int(workers_.size()); }

  // The pool whose worker runs the calling thread, or null (the UI thread, a test's main thread).
  static JobPool* current();

private:
  void workerLoop();
  // The next job a free worker may take, or null; called with the mutex held.
  JobPtr takeNext();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::array<std::deque<JobPtr>, 3> queues_; // by JobPriority
  std::vector<JobPtr> submitted_;
  int sharedLimit_ = 1; // workers Normal and Background jobs may occupy at once
  int sharedRunning_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

} // namespace lumen
