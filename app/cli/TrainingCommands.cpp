// `lumen-cli demo` and `lumen-cli regression train`: the built-in regression task on the shared
// trainer, with a run directory, a progress bar and Ctrl+C to cancel (resumable).
#include "Commands.h"
#include "TerminalProgress.h"
#include "common/Config.h"
#include "common/Log.h"
#include "common/Resources.h"
#include "train/RegressionTask.h"
#include "train/RunDirectory.h"

#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace lumen::cli {

std::string timestampName() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

namespace {

int trainRegression(const std::string& configFile, const std::vector<std::string>& overrides,
                    const std::string& runDir) {
  const auto config = loadConfig<RegressionConfig>(configFile, overrides);
  RunDirectory run(runDir);
  auto job = regressionTrainingJob(config, runDir);
  const int code = runWithProgress(job);
  if (code == 0)
    std::printf("run directory: %s\n  metrics: %s/metrics.jsonl\n  best model: %s\n",
                runDir.c_str(), runDir.c_str(), run.bestCheckpoint().c_str());
  else if (code == 130)
    std::printf("the run can continue from %s: run the same command with --run-dir %s\n",
                run.lastCheckpoint().c_str(), runDir.c_str());
  return code;
}

int demoCommand(const ParsedArgs& args) {
  const std::string workspace = args.positionalCount() > 0
                                    ? args.positional(0)
                                    : (fs::current_path() / "demo-workspace").string();
  const std::string runDir = workspace + "/runs/regression-" + timestampName();
  std::printf("Lumen headless demo: training the built-in regression model.\n"
              "Watch it live from another terminal with:\n  lumen-cli monitor %s\n\n",
              runDir.c_str());
  const int code =
      trainRegression(findResource("configs/train/regression.yaml"), args.values("--set"), runDir);
  if (code == 0)
    std::printf("\nDemo results are in %s (list them with: lumen-cli runs list %s/runs)\n",
                workspace.c_str(), workspace.c_str());
  return code;
}

int regressionTrainCommand(const ParsedArgs& args) {
  const std::string config = args.value("--config", findResource("configs/train/regression.yaml"));
  const std::string runDir = args.value("--run-dir", "runs/regression-" + timestampName());
  return trainRegression(config, args.values("--set"), runDir);
}

} // namespace

void addTrainingCommands(Command& root) {
  root.subcommand("demo", "Run the headless demo: a short real training run in a demo workspace")
      .positional({"DIR", "workspace folder (default ./demo-workspace)", true})
      .option({"--set", "KEY=VALUE", "override a config value, e.g. trainer.epochs=5", true})
      .handler(demoCommand);
  auto& regression = root.subcommand(
      "regression", "The built-in regression task (a genuine small training problem)");
  regression.subcommand("train", "Train the regression MLP with the shared trainer")
      .description("Writes a run directory (config.yaml, metrics.jsonl, log.txt, status.json,\n"
                   "checkpoints/last.pt and best.pt). Running the same command on an existing\n"
                   "run directory resumes it from checkpoints/last.pt.")
      .option({"--config", "FILE", "YAML config (default: the shipped regression.yaml)"})
      .option(
          {"--set", "KEY=VALUE", "override a config value, e.g. trainer.optimizer.lr=1e-3", true})
      .option({"--run-dir", "DIR", "run directory (default runs/regression-<time>)"})
      .handler(regressionTrainCommand);
}

} // namespace lumen::cli
