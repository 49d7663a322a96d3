// `lumen-cli demo` and `lumen-cli regression train`: the built-in regression task on the shared
// trainer, with a run directory, a progress bar and Ctrl+C to cancel (resumable).
#include "Commands.h"
#include "ConfigHelp.h"
#include "TerminalProgress.h"
#include "TrainingRunCommand.h"
#include "common/Config.h"
#include "common/Log.h"
#include "common/Resources.h"
#include "events/DenoiseJobs.h"
#include "events/Denoiser.h"
#include "events/SyntheticEvents.h"
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

// The event-denoising part of the demo: synthetic pairs, a short denoiser training, inference
// on a held-out recording, and the network against the BAF and STCF baselines.
int eventsDemo(const std::string& workspace) {
  const std::string data = workspace + "/events-data", test = workspace + "/events-test";
  const std::string runDir = workspace + "/runs/events-" + timestampName();
  SyntheticEventConfig synth;
  int code = runWithProgress(makeJob("synthesise event pairs", [&](Job& job) {
    writeSyntheticEventDataset(data, 8, 1, synth, &job);
    writeSyntheticEventDataset(test, 2, 99, synth, &job);
  }));
  if (code != 0)
    return code;
  auto config = loadConfig<EventTrainConfig>(findResource("configs/events/train.yaml"),
                                             {"data.noisy_dir=" + data + "/" + kNoisyFolder,
                                              "data.clean_dir=" + data + "/" + kCleanFolder,
                                              "trainer.epochs=6"});
  std::printf("\nTraining the event denoiser; watch it with:\n  lumen-cli monitor %s\n\n",
              runDir.c_str());
  if ((code = runWithProgress(eventTrainingJob(config, runDir))) != 0)
    return code;
  EventInferConfig infer;
  infer.checkpoint = runDir + "/checkpoints/best.pt";
  infer.input = test + "/" + kNoisyFolder + "/scene_0000.h5";
  infer.output = workspace + "/scene_0000_denoised.h5";
  if ((code = runWithProgress(eventInferenceJob(infer))) != 0)
    return code;
  EventTestConfig testConfig;
  testConfig.checkpoint = infer.checkpoint;
  testConfig.noisy_dir = test + "/" + kNoisyFolder;
  testConfig.clean_dir = test + "/" + kCleanFolder;
  testConfig.output_dir = workspace + "/events-test-results";
  std::vector<MethodScore> scores;
  if ((code = runWithProgress(makeJob("compare with BAF and STCF", [&](Job& job) {
         scores = compareDenoisers(testConfig, &job);
       }))) != 0)
    return code;
  std::printf("\nEvent denoising on held-out synthetic recordings:\n%-12s %10s %8s %8s\n", "METHOD",
              "PRECISION", "RECALL", "F1");
  for (const auto& s : scores)
    std::printf("%-12s %10.3f %8.3f %8.3f\n", s.method.c_str(), s.metrics.precision,
                s.metrics.recall, s.metrics.f1);
  std::printf("denoised recording: %s\n", infer.output.c_str());
  return 0;
}

int demoCommand(const ParsedArgs& args) {
  const std::string workspace = args.positionalCount() > 0
                                    ? args.positional(0)
                                    : (fs::current_path() / "demo-workspace").string();
  const std::string runDir = workspace + "/runs/regression-" + timestampName();
  std::printf("Lumen headless demo: training the built-in regression model.\n"
              "Watch it live from another terminal with:\n  lumen-cli monitor %s\n\n",
              runDir.c_str());
  int code =
      trainRegression(findResource("configs/train/regression.yaml"), args.values("--set"), runDir);
  if (code == 0 && !args.flag("--skip-events"))
    code = eventsDemo(workspace);
  if (code == 0 && !args.flag("--skip-shapes"))
    code = shapesDemo(workspace);
  if (code == 0 && !args.flag("--skip-segment"))
    code = segmentDemo(workspace, int(args.integer("--segment-epochs", 8, 0, 1000)));
  if (code == 0)
    std::printf("\nDemo results are in %s (list the runs with: lumen-cli runs list %s/runs)\n",
                workspace.c_str(), workspace.c_str());
  return code;
}

int regressionTrainCommand(const ParsedArgs& args) {
  return runTrainingCommand("regression", args, {},
                            [](const std::string&) { return "regression"; });
}

} // namespace

void addTrainingCommands(Command& root) {
  root.subcommand(kDemoCommand.name, kDemoCommand.summary)
      .positional({"DIR", "workspace folder (default ./demo-workspace)", true})
      .option(
          {"--set", "KEY=VALUE", "override a regression config value, e.g. trainer.epochs=5", true})
      .keys(shippedConfigHelp<RegressionConfig>("configs/train/regression.yaml"))
      .option({"--skip-events", "", "leave out the event-denoising part"})
      .option({"--skip-shapes", "", "leave out the shape-completion part"})
      .option({"--skip-segment", "", "leave out the CT segmentation part"})
      .option({"--segment-epochs", "N",
               "epochs of the learned segmentation backend's training (default 8; 0: classical "
               "only)"})
      .handler(demoCommand);
  auto& regression = root.subcommand(kRegressionCommand.name, kRegressionCommand.summary);
  auto& train =
      regression.subcommand("train", "Train the regression MLP with the shared trainer")
          .description("Writes a run directory (config.yaml, metrics.jsonl, log.txt, status.json,\n"
                       "checkpoints/last.pt and best.pt). Running the same command on an existing\n"
                       "run directory resumes it from checkpoints/last.pt.");
  addTrainingOptions(train, "regression", "regression");
  train.handler(regressionTrainCommand);
}

} // namespace lumen::cli
