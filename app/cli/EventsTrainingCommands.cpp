// `lumen-cli events prepare|train|test|infer`: the learned denoiser.
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
#include "events/VoxelPairs.h"
#include "train/RunDirectory.h"

#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace lumen::cli {
namespace {

template <class T> T configFrom(const ParsedArgs& args, const std::string& shipped) {
  return loadConfig<T>(args.value("--config", findResource("configs/events/" + shipped)),
                       args.values("--set"));
}

int prepareCommand(const ParsedArgs& args) {
  const auto config = configFrom<EventTrainConfig>(args, "train.yaml");
  const std::string out = args.value(
      "--output", config.data.prepared.empty() ? "events-prepared.h5" : config.data.prepared);
  PreparedInfo info;
  const int code = runWithProgress(makeJob(
      "prepare voxel pairs", [&](Job& job) { info = prepareVoxelPairs(config.data, out, &job); }));
  if (code == 0)
    std::printf("%s: %llu samples (%llu train, %llu validation) of %d x %d x %d\n", out.c_str(),
                static_cast<unsigned long long>(info.samples),
                static_cast<unsigned long long>(info.trainSamples),
                static_cast<unsigned long long>(info.valSamples), info.bins, info.height,
                info.width);
  return code;
}

int trainCommand(const ParsedArgs& args) {
  return runTrainingCommand("events", args, {}, [](const std::string&) { return "events"; });
}

int inferCommand(const ParsedArgs& args) {
  auto config = configFrom<EventInferConfig>(args, "infer.yaml");
  config.input = args.positional(0);
  config.output = args.positional(1);
  if (const auto checkpoint = args.value("--checkpoint"))
    config.checkpoint = *checkpoint;
  return runWithProgress(eventInferenceJob(config));
}

int testCommand(const ParsedArgs& args) {
  auto config = configFrom<EventTestConfig>(args, "test.yaml");
  const fs::path data = args.positional(0);
  config.noisy_dir = (data / kNoisyFolder).string();
  config.clean_dir = (data / kCleanFolder).string();
  config.output_dir = args.positional(1);
  if (const auto checkpoint = args.value("--checkpoint"))
    config.checkpoint = *checkpoint;
  std::vector<MethodScore> scores;
  const int code = runWithProgress(
      makeJob("test event denoiser", [&](Job& job) { scores = compareDenoisers(config, &job); }));
  if (code != 0)
    return code;
  std::printf("%-14s %10s %10s %10s %10s %10s %8s\n", "METHOD", "PRECISION", "RECALL", "F1",
              "SNR dB", "ESR", "AUC");
  for (const auto& s : scores)
    std::printf("%-14s %10.4f %10.4f %10.4f %10.2f %10.4f %8s\n", s.method.c_str(),
                s.metrics.precision, s.metrics.recall, s.metrics.f1, s.metrics.snrDb, s.esr,
                s.metrics.auc ? std::to_string(*s.metrics.auc).substr(0, 6).c_str() : "-");
  std::printf("details: %s/results.json\n", config.output_dir.c_str());
  return 0;
}

template <class T> void configOptions(Command& command, const std::string& shipped) {
  command.keys(shippedConfigHelp<T>("configs/events/" + shipped));
  command.option({"--config", "FILE", "YAML config (default: the shipped " + shipped + ")"})
      .option({"--set", "KEY=VALUE", "override a config value, e.g. trainer.epochs=5", true});
}

} // namespace

void addEventsTrainingCommands(Command& events) {
  auto& prepare = events.subcommand(kEventsPrepareCommand.name, kEventsPrepareCommand.summary);
  configOptions<EventTrainConfig>(prepare, "train.yaml");
  prepare
      .option({"--output", "FILE",
               "prepared file (default data.prepared or "
               "events-prepared.h5)"})
      .handler(prepareCommand);
  auto& train = events.subcommand(kEventsTrainCommand.name, kEventsTrainCommand.summary);
  addTrainingOptions(train, "events", "events");
  train.handler(trainCommand);
  auto& test = events.subcommand(kEventsTestCommand.name, kEventsTestCommand.summary);
  test.positional({"DATA_DIR", std::string("folder holding ") + kNoisyFolder + "/ (labelled) and " +
                                   kCleanFolder + "/"})
      .positional({"OUT_DIR", "where each file's network output and results.json go"})
      .option({"--checkpoint", "FILE", "the trained run's checkpoint (default: the config's)"});
  configOptions<EventTestConfig>(test, "test.yaml");
  test.handler(testCommand);
  auto& infer = events.subcommand(kEventsInferCommand.name, kEventsInferCommand.summary);
  infer.positional({"IN", "event file (.h5) to denoise"})
      .positional({"OUT", "denoised event file (.h5), with /events/score"})
      .option({"--checkpoint", "FILE", "the trained run's checkpoint (default: the config's)"});
  configOptions<EventInferConfig>(infer, "infer.yaml");
  infer.handler(inferCommand);
}

} // namespace lumen::cli
