// The Jobs dock: every background job with its progress, stage, elapsed time, ETA and state, and
// a Cancel button. Jobs run on worker threads; the dock only polls them (every 100 ms, never
// blocking the UI thread) and asks them to cancel, which they honour cooperatively.
#pragma once
#include "common/Job.h"

#include <QDockWidget>
#include <QString>
#include <vector>

class QProgressBar;
class QPushButton;
class QTableWidget;
class QTimer;

namespace lumen {

class JobPool;

class JobsDock : public QDockWidget {
  Q_OBJECT
public:
  explicit JobsDock(QWidget* parent = nullptr);
  ~JobsDock() override;

  // Lists a job (queued, running or already finished). Listing it twice does nothing.
  void addJob(JobPtr job);
  // Submits a job to the pool and lists it.
  JobPtr run(JobPool& pool, const QString& title, Job::Body body);
  // Drops the rows of jobs that have ended.
  void clearFinished();

  int rowCount() const { return int(rows_.size()); }
  JobPtr job(int row) const;
  QPushButton* cancelButton(int row) const;
  QProgressBar* progressBar(int row) const;
  QString stageText(int row) const;
  QString stateText(int row) const;
  QString etaText(int row) const;
  QTableWidget* table() const { return table_; }

  // Refreshes every row now (the timer calls it).
  void pollNow();

Q_SIGNALS:
  // Once per job, on the UI thread, when it ends. state is a lumen::JobState; message is a
  // sentence for a status bar: "Train run-a failed: CUDA out of memory".
  void jobFinished(const QString& title, int state, const QString& message);

private:
  struct Row {
    JobPtr job;
    bool reported = false; // jobFinished was emitted
  };

  void updateRow(int index);
  void showFinished(int index);

  std::vector<Row> rows_;
  QTableWidget* table_;
  QTimer* timer_;
};

} // namespace lumen
