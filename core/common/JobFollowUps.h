// What to do when jobs end, run on the thread that owns the state they change. A session (or a
// widget) registers a follow-up per job; its owner calls run() from its own thread (the GUI from
// a timer, a test or the command line from its loop), so results are applied where the state
// lives and never on a worker thread. Nothing a follow-up throws escapes run(): it is logged.
#pragma once
#include "common/Job.h"

#include <functional>
#include <vector>

namespace lumen {

class JobFollowUps {
public:
  // Runs `then` with the job once it has ended, whatever its state.
  void whenFinished(JobPtr job, std::function<void(const Job&)> then);
  // Runs the follow-ups of the jobs that have ended so far; returns how many ran.
  size_t run();
  bool pending() const { return !pending_.empty(); }

private:
  struct Pending {
    JobPtr job;
    std::function<void(const Job&)> then;
  };
  std::vector<Pending> pending_;
};

} // namespace lumen
