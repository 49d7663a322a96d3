// What the main window lends every workspace: the job pool (work runs off the UI thread and
// shows in the Jobs dock) and the training monitor (runs appear as live curves).
#pragma once
#include "common/Job.h"

#include <QString>

namespace lumen {

class JobPool;
class JobsDock;
class TrainingMonitorDock;

class WorkspaceServices {
public:
  WorkspaceServices(JobPool& pool, JobsDock& jobs, TrainingMonitorDock& monitor)
      : pool_(pool), jobs_(jobs), monitor_(monitor) {}

  // Submits the job to the pool and lists it in the Jobs dock.
  JobPtr submit(JobPtr job);
  // Submits a job the user does not need to see (a periodic refresh, a file probe): the pool
  // runs it like any other, the Jobs dock does not list it.
  JobPtr submitQuietly(JobPtr job);
  // Starts a training job (made by a pipeline's training job factory, which goes through
  // TrainingRun) and shows its run in the Training Monitor: the GUI's one way to start a run.
  JobPtr startTraining(JobPtr job, const QString& runDir);
  // Shows a run directory's metrics in the Training Monitor.
  void monitorRun(const QString& runDir);

  JobPool& pool() { return pool_; }
  JobsDock& jobs() { return jobs_; }
  TrainingMonitorDock& monitor() { return monitor_; }

private:
  JobPool& pool_;
  JobsDock& jobs_;
  TrainingMonitorDock& monitor_;
};

} // namespace lumen
