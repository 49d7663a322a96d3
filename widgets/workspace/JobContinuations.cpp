#include "workspace/JobContinuations.h"

#include "common/Log.h"

#include <QTimer>

namespace lumen {

JobContinuations::JobContinuations(QObject* parent, int intervalMs)
    : QObject(parent), timer_(new QTimer(this)) {
  timer_->setInterval(intervalMs);
  connect(timer_, &QTimer::timeout, this, &JobContinuations::poll);
}

void JobContinuations::whenFinished(JobPtr job, std::function<void(const Job&)> then) {
  pending_.push_back({std::move(job), std::move(then)});
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

void JobContinuations::poll() {
  // Continuations may add jobs, so the finished ones are taken out before any runs.
  std::vector<Pending> done;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->job->finished()) {
      done.push_back(std::move(*it));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  if (pending_.empty())
    timer_->stop();
  for (auto& finished : done) {
    // A follow-up runs inside a timer's slot: nothing it throws may leave it.
    try {
      finished.then(*finished.job);
    } catch (const std::exception& e) {
      logError("after ", finished.job->title(), ": ", e.what());
    } catch (...) {
      logError("after ", finished.job->title(), ": unknown error");
    }
  }
}

QString jobFailureText(const Job& job) {
  return QStringLiteral("%1: %2").arg(QString::fromStdString(job.title()),
                                      job.state() == JobState::Cancelled
                                          ? QObject::tr("cancelled")
                                          : QString::fromStdString(job.errorMessage()));
}

} // namespace lumen
