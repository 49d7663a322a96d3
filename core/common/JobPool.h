// A fixed set of worker threads that run submitted jobs in order. Destroying the pool cancels
// what is still running or queued and joins the workers.
#pragma once
#include "common/Job.h"

#include <deque>
#include <thread>
#include <vector>

namespace lumen {

class JobPool {
public:
  explicit JobPool(int threads = 1);
  ~JobPool();
  JobPool(const JobPool&) = delete;
  JobPool& operator=(const JobPool&) = delete;

  JobPtr submit(JobPtr job);
  JobPtr submit(std::string title, Job::Body body) {
    return submit(makeJob(std::move(title), std::move(body)));
  }
  // Every job submitted so far that has not finished.
  std::vector<JobPtr> activeJobs() const;
  void cancelAll();

private:
  void workerLoop();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<JobPtr> queue_;
  std::vector<JobPtr> submitted_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

} // namespace lumen
