// lumen-engine: every lumen-cli command, LibTorch's included. `lumen-cli` runs the commands
// that need no LibTorch itself and hands the others to this binary (it shows as lumen-cli in
// help and errors: users call it through lumen-cli).
#include "Commands.h"
#include "RootCommand.h"
#include "common/Error.h"
#include "train/Device.h"
#include "train/RunStream.h"

#include <cstdio>

int main(int argc, char** argv) {
  using namespace lumen;
  auto terminal = std::make_shared<TerminalLogSink>();
  logger().addSink(terminal);
  std::vector<std::string> args(argv + 1, argv + argc);
  cli::StreamRequest streamRequest;
  if (const auto code = cli::takeGlobalOptions(args, *terminal, &streamRequest))
    return *code;
  configureTorchThreads();
  std::unique_ptr<RunStreamPublisher> stream;
  try {
    stream = cli::startStream(streamRequest, args);
  } catch (const Error& e) {
    std::fprintf(stderr, "lumen-cli: %s\n", e.what());
    return 2;
  }

  cli::Command root = cli::makeRootCommand();
  cli::addTrainingCommands(root);
  cli::addRunsCommands(root);
  cli::addEventsTrainingCommands(cli::addEventsCommands(root));
  cli::addShapesCommands(root);
  cli::addCtCommands(root);
  cli::addSegmentGroup(root);
  cli::addSynthCommands(root);
  return cli::runRootCommand(root, args);
}
