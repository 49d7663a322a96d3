// What `lumen-cli` and `lumen-engine` share around their command trees: the root command, the
// global options before a command and the exit codes of errors. Free of LibTorch, so the
// LibTorch-free `lumen-cli` starts in milliseconds.
#pragma once
#include "CommandLine.h"
#include "common/Log.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lumen {
class RunStreamPublisher;
}

namespace lumen::cli {

// --stream HOST:PORT [--stream-token-file FILE] [--stream-allow-remote], before the command.
struct StreamRequest {
  std::string address; // empty: no stream
  std::string tokenFile;
  bool allowRemote = false;
};

// `lumen-cli` with its global options (--version, --verbose, --quiet); no commands yet.
Command makeRootCommand();

// Handles what comes before the command: prints the versions and returns 0 for --version;
// otherwise applies --verbose / --quiet to `terminal` and the progress output, removes them from
// `args` and returns nothing.
// --stream's options go to `stream` (when given) and are removed from `args` too.
std::optional<int> takeGlobalOptions(std::vector<std::string>& args, TerminalLogSink& terminal,
                                     StreamRequest* stream = nullptr);

// Serves the command's log and runs as asked (SPEC C9), saying where on stderr; null without
// --stream. Throws InputError for a bad address or token.
std::unique_ptr<RunStreamPublisher> startStream(const StreamRequest& request,
                                                const std::vector<std::string>& args);

// Runs `args` through `root`, turning errors into messages on stderr and exit codes: 2 for usage
// and config errors, 1 for the rest.
int runRootCommand(const Command& root, const std::vector<std::string>& args);

} // namespace lumen::cli
