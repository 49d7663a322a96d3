// lumen-cli: the headless entry point. It links no LibTorch: loading LibTorch takes 0.6 s on a
// 2-core machine, longer than most event commands run. Commands that need LibTorch (training,
// inference, shapes, segmentation) are listed in its help like the others and handed, with the
// whole command line, to lumen-engine beside it (or in ../libexec/lumen/ once installed).
#include "Commands.h"
#include "RootCommand.h"
#include "common/Error.h"
#include "train/RunStream.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

char** originalArgv = nullptr;

fs::path engineBinary() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  const fs::path dir = error ? fs::path(originalArgv[0]).parent_path() : self.parent_path();
  for (const fs::path& candidate :
       {dir / "lumen-engine", dir.parent_path() / "libexec" / "lumen" / "lumen-engine"})
    if (fs::exists(candidate, error))
      return candidate;
  return dir / "lumen-engine";
}

// Replaces this process with lumen-engine running the same command line; returns only when it
// cannot start.
int forwardToEngine() {
  const fs::path engine = engineBinary();
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(engine.c_str(), originalArgv);
  std::fprintf(stderr, "lumen-cli: cannot start %s, which runs this command: %s\n", engine.c_str(),
               std::strerror(errno));
  return 1;
}

// Whether `args` (after the global options) name a command lumen-engine runs.
bool runsInEngine(const std::vector<std::string>& args) {
  using namespace lumen::cli;
  if (args.empty())
    return false;
  for (const auto& command : kForwardedRootCommands)
    if (args[0] == command.name)
      return true;
  if (args[0] == kShapesCommand.name || args[0] == kSegmentCommand.name)
    return true;
  if (args[0] == "events" && args.size() > 1)
    for (const auto& command : kForwardedEventsCommands)
      if (args[1] == command.name)
        return true;
  return false;
}

void forwarded(lumen::cli::Command& parent, const lumen::cli::CommandSummary& command) {
  parent.subcommand(command.name, command.summary).forwardTo(forwardToEngine);
}

} // namespace

int main(int argc, char** argv) {
  using namespace lumen;
  originalArgv = argv;
  auto terminal = std::make_shared<TerminalLogSink>();
  logger().addSink(terminal);
  std::vector<std::string> args(argv + 1, argv + argc);
  cli::StreamRequest streamRequest;
  if (const auto code = cli::takeGlobalOptions(args, *terminal, &streamRequest))
    return *code;
  // lumen-engine serves the stream of the commands it runs; this process serves its own.
  std::unique_ptr<RunStreamPublisher> stream;
  if (!runsInEngine(args)) {
    try {
      stream = cli::startStream(streamRequest, args);
    } catch (const Error& e) {
      std::fprintf(stderr, "lumen-cli: %s\n", e.what());
      return 2;
    }
  }

  // The same commands in the same order as lumen-engine's tree.
  cli::Command root = cli::makeRootCommand();
  for (const auto& command : cli::kForwardedRootCommands)
    forwarded(root, command);
  cli::addRunsCommands(root);
  auto& events = cli::addEventsCommands(root);
  for (const auto& command : cli::kForwardedEventsCommands)
    forwarded(events, command);
  forwarded(root, cli::kShapesCommand);
  cli::addCtCommands(root);
  forwarded(root, cli::kSegmentCommand);
  cli::addSynthCommands(root);
  return cli::runRootCommand(root, args);
}
