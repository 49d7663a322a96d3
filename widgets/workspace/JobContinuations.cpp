#include "workspace/JobContinuations.h"

#include <QTimer>

namespace lumen {

JobContinuations::JobContinuations(QObject* parent, int intervalMs)
    : QObject(parent), timer_(new QTimer(this)) {
  timer_->setInterval(intervalMs);
  connect(timer_, &QTimer::timeout, this, &JobContinuations::poll);
}

void JobContinuations::whenFinished(JobPtr job, std::function<void(const Job&)> then) {
  own_.whenFinished(std::move(job), std::move(then));
  timer_->start();
}

void JobContinuations::whenDone(JobPtr job, std::function<void()> then,
                                std::function<void(const Job&)> failed) {
  whenFinished(std::move(job), [then = std::move(then), failed = std::move(failed)](const Job& j) {
    if (j.state() == JobState::Succeeded)
      then();
    else if (failed)
      failed(j);
  });
}

void JobContinuations::watch(JobFollowUps& followUps) {
  if (std::find(watched_.begin(), watched_.end(), &followUps) == watched_.end())
    watched_.push_back(&followUps);
  timer_->start();
}

void JobContinuations::poll() {
  own_.run();
  for (JobFollowUps* followUps : watched_)
    followUps->run();
  // Only now: a follow-up that just ran may have waited for another job (a session's result
  // starting a workspace's job), and the timer must keep going for that one.
  bool waiting = own_.pending();
  for (JobFollowUps* followUps : watched_)
    waiting = waiting || followUps->pending();
  if (!waiting)
    timer_->stop();
}

QString jobFailureText(const Job& job) {
  return QStringLiteral("%1: %2").arg(QString::fromStdString(job.title()),
                                      job.state() == JobState::Cancelled
                                          ? QObject::tr("cancelled")
                                          : QString::fromStdString(job.errorMessage()));
}

} // namespace lumen
