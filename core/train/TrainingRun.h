// The one way a training run starts, for every task and from every front end (the CLI, the GUI's
// workspaces, the Runs workspace's Resume):
//  * the run folder is created and locked (RunLock) before anything is written into it, so a
//    second trainer of the same folder is refused with a clear message;
//  * when the folder already holds a run (checkpoints/last.pt), the new configuration is compared
//    with its config.yaml: a different one is refused with the changed keys listed, unless the
//    caller accepts the change, which is then written to the run's log;
//  * config.yaml is saved and its hash goes into every checkpoint;
//  * a failure before the first step (bad data, a missing file, a cancelled preparation) still
//    leaves status.json saying so, so the run is listed as failed, never as a silent blank;
//  * of several data-parallel processes (train/DataParallel.h) only rank 0 does all of this.
#pragma once
#include "common/Job.h"

#include <functional>
#include <string>

namespace lumen {

class RunDirectory;
class RunLock;
class Trainer;

struct TrainingRunOptions {
  bool acceptConfigChange = false; // resume with a configuration that differs from config.yaml
};

// What a training job's body gets: the locked run folder and the job.
struct TrainingRun {
  RunDirectory& run;
  // Null in the data-parallel processes other than rank 0, which write nothing into the folder.
  const RunLock* lock;
  const std::string configHash;
  const bool configChanged; // resuming with settings the user accepted although they differ
  Job& job;
  // Gives the trainer the run's lock and configuration hash; call before fit().
  void attach(Trainer& trainer) const;
};

// `task` is the name status.json records ("regression", "events", "shapes"); `configYaml` the
// resolved configuration as config.yaml will hold it. `body` builds the task and trains.
JobPtr trainingRunJob(const std::string& title, const std::string& task, const std::string& runDir,
                      const std::string& configYaml,
                      std::function<void(const TrainingRun& run)> body,
                      const TrainingRunOptions& options = {});

// The differences between a run's config.yaml and `configYaml`, as "key: old -> new" lines;
// empty when they agree or the run has no config.yaml yet.
std::vector<std::string> configChangesOfRun(const std::string& runDir,
                                            const std::string& configYaml);

// Whether `runDir` holds a run that training would resume (a checkpoints/last.pt).
bool runCanResume(const std::string& runDir);

} // namespace lumen
