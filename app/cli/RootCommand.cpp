#include "RootCommand.h"

#include "TerminalProgress.h"
#include "common/Config.h"
#include "common/Error.h"
#include "common/Version.h"

#include <cstdio>

namespace lumen::cli {

Command makeRootCommand() {
  Command root("lumen-cli", "Lumen's headless engine: prepare data, train, infer and "
                            "inspect runs without a display.");
  root.option({"--version", "", "print the versions of Lumen and its libraries"});
  root.option({"--verbose", "", "log debug messages (before the command)"});
  root.option({"--quiet", "", "no progress, only warnings and errors (before the command)"});
  return root;
}

std::optional<int> takeGlobalOptions(std::vector<std::string>& args, TerminalLogSink& terminal) {
  while (!args.empty() &&
         (args[0] == "--verbose" || args[0] == "--quiet" || args[0] == "--version")) {
    if (args[0] == "--version") {
      for (const auto& [component, version] : engineVersions())
        std::printf("%s %s\n", component.c_str(), version.c_str());
      return 0;
    }
    terminal.threshold = args[0] == "--verbose" ? LogLevel::Debug : LogLevel::Warning;
    setQuietProgress(args[0] == "--quiet");
    args.erase(args.begin());
  }
  return std::nullopt;
}

int runRootCommand(const Command& root, const std::vector<std::string>& args) {
  try {
    return root.run(args, "lumen-cli");
  } catch (const UsageError& e) {
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

} // namespace lumen::cli
