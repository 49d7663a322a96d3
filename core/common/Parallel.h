// Data parallelism inside a job, on the same JobPool as all other background work (there is no
// second thread pool). parallelFor runs body(i) for every i in [0, count): the calling thread
// works through the items itself and asks the pool it runs on (JobPool::current()) for up to
// `threads - 1` helpers of the same priority, which join in when a worker is free. Because the
// caller never waits for a helper to start, this cannot deadlock when the pool is busy; it only
// runs on fewer threads. Helpers write their log lines in the caller's context.
//
// The first exception an item throws, of any type, stops the remaining items and is rethrown on
// the calling thread after every helper has finished its current item; nothing escapes a worker.
// With a job, cancellation is checked between items.
#pragma once
#include <cstddef>
#include <functional>

namespace lumen {

class Job;

void parallelFor(size_t count, int threads, const std::function<void(size_t index)>& body,
                 Job* job = nullptr);

} // namespace lumen
