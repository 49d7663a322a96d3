#include "common/JobFollowUps.h"

#include "common/Log.h"

namespace lumen {

void JobFollowUps::whenFinished(JobPtr job, std::function<void(const Job&)> then) {
  pending_.push_back({std::move(job), std::move(then)});
}

size_t JobFollowUps::run() {
  // Follow-ups may register new ones, so the finished are taken out before any runs.
  std::vector<Pending> done;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->job->finished()) {
      done.push_back(std::move(*it));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& finished : done) {
    try {
      finished.then(*finished.job);
    } catch (const std::exception& e) {
      logError("after ", finished.job->title(), ": ", e.what());
    } catch (...) {
      logError("after ", finished.job->title(), ": unknown error");
    }
  }
  return done.size();
}

} // namespace lumen
