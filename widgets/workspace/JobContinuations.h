// What a workspace does when its background jobs end, run on the UI thread: a JobFollowUps that
// a timer runs while any follow-up is waiting (jobs are core objects without Qt signals).
#pragma once
#include "common/JobFollowUps.h"

#include <QObject>
#include <QString>
#include <functional>

class QTimer;

namespace lumen {

class JobContinuations : public QObject {
  Q_OBJECT
public:
  explicit JobContinuations(QObject* parent, int intervalMs = 200);

  // Runs `then` with the job once it has ended, whatever its state.
  void whenFinished(JobPtr job, std::function<void(const Job&)> then);
  // Runs `then` once the job has succeeded, `failed` when it failed or was cancelled.
  void whenDone(JobPtr job, std::function<void()> then, std::function<void(const Job&)> failed);
  // Keeps polling `followUps` (a session's) on the UI thread while it has work waiting.
  void watch(JobFollowUps& followUps);
  // Runs the follow-ups of the jobs that have ended now, without waiting for the timer.
  void pollNow() { poll(); }

private:
  void poll();

  JobFollowUps own_;
  std::vector<JobFollowUps*> watched_;
  QTimer* timer_;
};

// "<title>: cancelled" or "<title>: <error>", for a status bar.
QString jobFailureText(const Job& job);

} // namespace lumen
