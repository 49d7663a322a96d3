#include "workspace/WorkspaceServices.h"

#include "common/JobPool.h"
#include "jobs/JobsDock.h"
#include "monitor/TrainingMonitorDock.h"

namespace lumen {

JobPtr WorkspaceServices::submit(JobPtr job) {
  jobs_.addJob(job);
  return pool_.submit(std::move(job));
}

JobPtr WorkspaceServices::submitQuietly(JobPtr job) {
  return pool_.submit(std::move(job));
}

JobPtr WorkspaceServices::startTraining(JobPtr job, const QString& runDir) {
  submit(job);
  monitorRun(runDir);
  return job;
}

void WorkspaceServices::monitorRun(const QString& runDir) {
  monitor_.addRun(runDir);
}

} // namespace lumen
