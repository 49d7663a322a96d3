#include "common/Parallel.h"

#include "common/Job.h"
#include "common/JobPool.h"
#include "common/Log.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>

namespace lumen {
namespace {

struct SharedLoop {
  SharedLoop(size_t count, const std::function<void(size_t)>& body, Job* job)
      : count(count), body(body), job(job) {}
  const size_t count;
  const std::function<void(size_t)>& body;
  Job* const job;
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::exception_ptr error;

  // Takes items until none is left or something failed.
  void work() {
    for (size_t i; !stop && (i = next++) < count;) {
      try {
        if (job)
          job->checkCancelled();
        body(i);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error)
          error = std::current_exception();
        stop = true;
      }
    }
  }
};

} // namespace

void parallelFor(size_t count, int threads, const std::function<void(size_t)>& body, Job* job) {
  if (count == 0)
    return;
  auto loop = std::make_shared<SharedLoop>(count, body, job);
  std::vector<JobPtr> helpers;
  JobPool* pool = JobPool::current();
  const size_t wanted = std::min<size_t>(count, size_t(std::max(1, threads))) - 1;
  if (pool && wanted > 0) {
    const JobPriority priority = job ? job->priority() : JobPriority::Normal;
    const LogContextId context = currentLogContext();
    const std::string title = job ? job->title() + " (helper)" : std::string("parallel work");
    for (size_t h = 0; h < wanted; ++h) {
      auto helper = makeJob(
          title,
          [loop, context](Job&) {
            const LogContextScope scope(context);
            loop->work();
          },
          priority);
      helper->setSilent();
      helpers.push_back(pool->submit(helper));
    }
  }
  loop->work();
  // Every item is taken: helpers that never started are not needed any more, and those that
  // did are finishing their last item.
  for (const auto& helper : helpers)
    helper->requestCancel();
  for (const auto& helper : helpers)
    helper->wait();
  if (loop->error)
    std::rethrow_exception(loop->error);
}

} // namespace lumen
