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
