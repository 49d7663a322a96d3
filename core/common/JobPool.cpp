#include "common/JobPool.h"

#include <algorithm>

namespace lumen {
namespace {
thread_local JobPool* currentPool = nullptr;
} // namespace

JobPool::JobPool(int threads) : sharedLimit_(std::max(1, threads)) {
  for (int i = 0; i < sharedLimit_ + 1; ++i)
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

JobPool* JobPool::current() {
  return currentPool;
}

JobPtr JobPool::submit(JobPtr job) {
  {
    std::lock_guard lock(mutex_);
    queues_[size_t(job->priority())].push_back(job);
    // Finished jobs are forgotten so a long session does not accumulate them.
    submitted_.erase(std::remove_if(submitted_.begin(), submitted_.end(),
                                    [](const JobPtr& j) { return j->finished(); }),
                     submitted_.end());
    submitted_.push_back(job);
  }
  wake_.notify_all();
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
  std::vector<JobPtr> jobs;
  {
    std::lock_guard lock(mutex_);
    jobs = submitted_;
  }
  // Outside the lock: cancelling a queued job finishes it, which logs.
  for (const auto& job : jobs)
    job->requestCancel();
}

JobPtr JobPool::takeNext() {
  for (size_t priority = 0; priority < queues_.size(); ++priority) {
    auto& queue = queues_[priority];
    // Jobs cancelled while queued have ended already: drop them.
    while (!queue.empty() && queue.front()->finished())
      queue.pop_front();
    if (queue.empty())
      continue;
    const bool shared = priority != size_t(JobPriority::Interactive);
    if (shared && sharedRunning_ >= sharedLimit_)
      return nullptr; // lower priorities are shared jobs too
    JobPtr job = queue.front();
    queue.pop_front();
    if (shared)
      ++sharedRunning_;
    return job;
  }
  return nullptr;
}

void JobPool::workerLoop() {
  currentPool = this;
  for (;;) {
    JobPtr job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return (job = takeNext()) != nullptr || stopping_; });
      if (!job)
        return;
    }
    job->run();
    if (job->priority() != JobPriority::Interactive) {
      std::lock_guard lock(mutex_);
      --sharedRunning_;
    }
    // A shared slot (or this worker) is free again: another worker may take what waits.
    wake_.notify_all();
  }
}

} // namespace lumen
