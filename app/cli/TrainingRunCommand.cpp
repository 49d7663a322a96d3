#include "TrainingRunCommand.h"

#include "ConfigHelp.h"
#include "TerminalProgress.h"
#include "common/Text.h"
#include "train/RunDirectory.h"
#include "train/TrainingTasks.h"

#include <cstdio>

namespace lumen::cli {

void addTrainingOptions(Command& command, const std::string& taskName,
                        const std::string& runPrefix) {
  const auto& task = trainingTask(taskName);
  command.keys([&task] { return configKeysHelp(task.keys()); });
  command
      .option({"--config", "FILE", "YAML config (default: the shipped " + task.defaultConfig + ")"})
      .option({"--set", "KEY=VALUE", "override a config value, e.g. trainer.epochs=5", true})
      .option({"--run-dir", "DIR",
               "run directory (default runs/" + runPrefix +
                   "-<time>); an existing run resumes with its own config.yaml"})
      .option({"--accept-config-change", "",
               "resume an existing run with the settings given here although they differ from "
               "its config.yaml (the changes go to its log)"});
}

int runTrainingCommand(const std::string& taskName, const ParsedArgs& args,
                       const std::vector<std::string>& extraOverrides,
                       const std::function<std::string(const std::string& configYaml)>& runPrefix,
                       const std::string& defaultRunDir) {
  const auto& task = trainingTask(taskName);
  std::vector<std::string> overrides = args.values("--set");
  overrides.insert(overrides.end(), extraOverrides.begin(), extraOverrides.end());
  auto givenRunDir = args.value("--run-dir");
  if (!givenRunDir && !defaultRunDir.empty())
    givenRunDir = defaultRunDir;
  const bool resuming = givenRunDir && runCanResume(*givenRunDir);
  const bool changesSettings = args.value("--config").has_value() || !overrides.empty();
  // Resuming without new settings continues exactly as the run was started.
  const std::string config = resuming && !changesSettings
                                 ? task.resolve(*givenRunDir + "/config.yaml", {})
                                 : task.resolve(args.value("--config", ""), overrides);
  const std::string runDir = givenRunDir ? *givenRunDir : newRunDirName("runs", runPrefix(config));
  TrainingRunOptions options;
  options.acceptConfigChange = args.flag("--accept-config-change");
  if (resuming && !options.acceptConfigChange) {
    const auto changes = configChangesOfRun(runDir, config);
    if (!changes.empty())
      throw UsageError("the run " + runDir + " was started with other settings (" +
                       joinLimited(changes, 6, "; ") +
                       "); leave out --config/--set to resume it as it was, add "
                       "--accept-config-change to continue with the new settings, or give a new "
                       "--run-dir");
  }
  const int code = runWithProgress(task.start(config, runDir, options));
  if (code == 0)
    std::printf("run directory: %s\n  metrics: %s/metrics.jsonl\n  best model: %s/checkpoints/"
                "best.pt\n",
                runDir.c_str(), runDir.c_str(), runDir.c_str());
  else if (runCanResume(runDir))
    std::printf("the run can continue from %s/checkpoints/last.pt: run the same command with "
                "--run-dir %s\n",
                runDir.c_str(), runDir.c_str());
  return code;
}

} // namespace lumen::cli
