// lumen-cli: the headless entry point. Links only the engine (core).
#include "CommandLine.h"
#include "Commands.h"
#include "TerminalProgress.h"
#include "common/Config.h"
#include "common/Log.h"
#include "common/Version.h"
#include "train/Device.h"

#include <cstdio>

int main(int argc, char** argv) {
  using namespace lumen;
  auto terminal = std::make_shared<TerminalLogSink>();
  logger().addSink(terminal);

  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--version") {
    for (const auto& [component, version] : engineVersions())
      std::printf("%s %s\n", component.c_str(), version.c_str());
    return 0;
  }
  // Global options come before the command.
  while (!args.empty() && (args[0] == "--verbose" || args[0] == "--quiet")) {
    terminal->threshold = args[0] == "--verbose" ? LogLevel::Debug : LogLevel::Warning;
    cli::setQuietProgress(args[0] == "--quiet");
    args.erase(args.begin());
  }
  configureTorchThreads();

  cli::Command root("lumen-cli", "Lumen's headless engine: prepare data, train, infer and "
                                 "inspect runs without a display.");
  root.option({"--version", "", "print the versions of Lumen and its libraries"});
  root.option({"--verbose", "", "log debug messages (before the command)"});
  root.option({"--quiet", "", "log only warnings and errors (before the command)"});
  cli::addTrainingCommands(root);
  cli::addRunsCommands(root);
  cli::addEventsCommands(root);
  cli::addShapesCommands(root);
  auto& ct = root.subcommand("ct", "CT volumes: read any format, inspect DICOM series, synthetic "
                                   "chest phantoms");
  cli::addCtInfoCommand(ct);
  cli::addCtSynthCommand(ct);
  auto& segment = root.subcommand("segment", "Point-prompted CT segmentation: study-folder "
                                             "datastore shared with MONAI Label");
  cli::addSegmentDatastoreCommand(segment);
  cli::addSegmentCommands(segment);
  cli::addSegmentServeCommand(segment);
  try {
    return root.run(args, "lumen-cli");
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "lumen-cli: %s\n", e.what());
    return 2;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "lumen-cli: %s\n", e.what());
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "lumen-cli: %s: %s\n", errorKindName(e.kind()), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lumen-cli: error: %s\n", e.what());
    return 1;
  }
}
