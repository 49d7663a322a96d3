// Every task Lumen trains, by the name its runs record in status.json, so any front end can start
// or resume a run of any task from a config file: `lumen-cli <pipeline> train`, the GUI's
// workspaces and the Runs workspace's Resume all come here. Each entry wraps its pipeline's job
// factory (regressionTrainingJob, eventTrainingJob, shapeTrainingJob), which starts the run
// through trainingRunJob. This file is the one place that names every pipeline's training.
#pragma once
#include "common/Job.h"
#include "train/TrainingRun.h"

#include <functional>
#include <string>
#include <vector>

namespace lumen {

struct ConfigKeyList; // common/ConfigKeys.h

struct TrainingTaskInfo {
  std::string name;          // "regression", "events", "shapes"
  std::string title;         // "Event denoiser"
  std::string defaultConfig; // resource path of the shipped config
  // Loads and validates the config file (empty: the shipped one) with --set style overrides and
  // returns it resolved, as config.yaml would hold it. Throws ConfigError naming file and key.
  std::function<std::string(const std::string& configFile,
                            const std::vector<std::string>& overrides)>
      resolve;
  // A job training (or resuming) runDir with a resolved configuration.
  std::function<JobPtr(const std::string& configYaml, const std::string& runDir,
                       const TrainingRunOptions& options)>
      start;
  // Every key of the task's config with its value in the shipped config (for --help).
  std::function<ConfigKeyList()> keys;
};

const std::vector<TrainingTaskInfo>& trainingTasks();
// Throws InputError naming the known tasks.
const TrainingTaskInfo& trainingTask(const std::string& name);

// Resumes the run in `runDir` with its own config.yaml, whatever its task (status.json names
// it). Throws InputError when the folder is no resumable run.
JobPtr resumeTrainingJob(const std::string& runDir);

} // namespace lumen
