#include "common/JobPool.h"

#include <algorithm>

namespace lumen {

JobPool::JobPool(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i)
    workers_.emplace_back([this] { workerLoop(); });
}

JobPool::~JobPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cancelAll();
  wake_.notify_all();
  for (auto& worker : workers_)
    worker.join();
}

JobPtr JobPool::submit(JobPtr job) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(job);
    submitted_.push_back(job);
  }
  wake_.notify_one();
  return job;
}

std::vector<JobPtr> JobPool::activeJobs() const {
  std::lock_guard lock(mutex_);
  std::vector<JobPtr> active;
  for (const auto& job : submitted_)
    if (!job->finished())
      active.push_back(job);
  return active;
}

void JobPool::cancelAll() {
  std::lock_guard lock(mutex_);
  for (const auto& job : submitted_)
    job->requestCancel();
}

void JobPool::workerLoop() {
  for (;;) {
    JobPtr job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return;
      job = queue_.front();
      queue_.pop_front();
      // Finished jobs are forgotten so a long session does not accumulate them.
      submitted_.erase(std::remove_if(submitted_.begin(), submitted_.end(),
                                      [](const JobPtr& j) { return j->finished(); }),
                       submitted_.end());
    }
    job->run();
  }
}

} // namespace lumen
